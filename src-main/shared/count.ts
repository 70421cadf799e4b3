/** "1 item", "2 items", "1,024 items": the one way the studio writes a count of things. */
export function countOf(n: number, word: string, plural = `${word}s`): string {
  return `${Math.round(n).toLocaleString('en-US')} ${n === 1 ? word : plural}`;
}

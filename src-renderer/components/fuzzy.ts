/**
 * Fuzzy matching for the command palette: every typed character must appear in order;
 * runs of consecutive characters and matches at word starts score higher, short names win ties.
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase().replace(/\s+/g, ' ').trim();
  if (!q) return 0;
  const t = text.toLowerCase();
  let score = 0;
  let ti = 0;
  let run = 0;
  for (const ch of q) {
    if (ch === ' ') continue;
    const found = t.indexOf(ch, ti);
    if (found < 0) return null;
    const wordStart = found === 0 || /[\s>/_-]/.test(t[found - 1]!);
    run = found === ti ? run + 1 : 0;
    score += 1 + run * 2 + (wordStart ? 3 : 0) - Math.min(3, (found - ti) * 0.05);
    ti = found + 1;
  }
  if (t.includes(q)) score += 10;
  return score - text.length * 0.01;
}

export function fuzzyFilter<T>(query: string, items: T[], text: (item: T) => string, limit = 50): T[] {
  const scored: { item: T; score: number }[] = [];
  for (const item of items) {
    const s = fuzzyScore(query, text(item));
    if (s !== null) scored.push({ item, score: s });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, limit).map((s) => s.item);
}

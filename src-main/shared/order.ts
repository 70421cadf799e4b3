/**
 * A locale-independent order for strings: by Unicode code point (the order of their UTF-8
 * bytes). `localeCompare` without a locale follows the machine's locale and ICU version, so
 * label numbers (labels.txt) and seeded splits could differ between machines; this cannot.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only where a surrogate (an astral code
    // point) meets a code unit above the surrogates (U+E000..U+FFFF): lift the latter past them
    if (x >= 0xd800 && y >= 0xd800) return (x >= 0xe000 ? x - 0x800 : x + 0x2000) - (y >= 0xe000 ? y - 0x800 : y + 0x2000);
    return x - y;
  }
  return a.length - b.length;
}

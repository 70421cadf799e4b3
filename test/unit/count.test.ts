/** Counts in the studio go through one helper, so "1 items" cannot come back in a new view. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countOf } from '../../src-main/shared/count.js';

const REPO = path.resolve(import.meta.dirname, '../..');

describe('countOf', () => {
  it('writes one and many', () => {
    expect(countOf(1, 'item')).toBe('1 item');
    expect(countOf(0, 'item')).toBe('0 items');
    expect(countOf(1234567, 'file')).toBe('1,234,567 files');
    expect(countOf(2, 'category', 'categories')).toBe('2 categories');
  });

  it('is the only way the renderer pluralises', () => {
    const dir = path.join(REPO, 'src-renderer');
    const handMade = fs
      .readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.tsx') || f.endsWith('.ts'))
      .filter((f) => /=== 1 \? '' : 's'|toLocaleString\(\)\}\s(items|files|problems)\b/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(handMade).toEqual([]);
  });
});

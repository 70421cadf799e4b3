import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

describe('label numbering', () => {
  it('is code-point order, the same on every machine', async () => {
    const root = path.join(tmp, 'order');
    const names = ['😀', 'Ｚ', 'バッグ', 'É', 'e', 'b', 'Z', 'B'];
    for (const [i, name] of names.entries()) await writeImage(path.join(root, name, `${i}.jpg`), { seed: i });
    const dir = path.join(tmp, 'order-project');
    shiwakeJson(['import', root, '--project', dir]);
    const out = path.join(tmp, 'order-out');
    shiwakeJson(['export', '--project', dir, '--format', 'csv', '--out', out]);
    expect(fs.readFileSync(path.join(out, 'labels.txt'), 'utf8')).toBe('B\nZ\nb\ne\nÉ\nバッグ\nＺ\n😀\n');
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shiwakeJson } from '../fixtures/cli.js';
import { jpegWithMiddleCut, writeImage } from '../fixtures/images.js';
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

describe('no image leaves undecoded', () => {
  it('export decodes the images not yet checked, and a JPEG missing its middle is left out as broken, not passed through', async () => {
    const root = path.join(tmp, 'torn');
    for (let i = 0; i < 6; i++) await writeImage(path.join(root, `c${i % 2}`, `${i}.jpg`), { seed: i });
    const torn = await jpegWithMiddleCut({ seed: 9 });
    fs.writeFileSync(path.join(root, 'c0/torn.jpg'), torn);
    const dir = path.join(tmp, 'torn-project');
    expect(shiwakeJson(['import', root, '--project', dir])).toMatchObject({ added: 7, broken: 0 });
    const out = path.join(tmp, 'torn-out');
    const m = shiwakeJson(['export', '--project', dir, '--format', 'tfrecord', '--out', out]);
    expect(m.verified_now).toMatchObject({ images: 7, broken: [{ path: 'c0/torn.jpg', reason: expect.stringMatching(/premature end of data segment/) }] });
    expect(m.left_out.broken).toBe(1);
    expect(m.splits.train.records + m.splits.validation.records).toBe(6);
    const shards = fs.readdirSync(out).filter((f) => /^(train|validation)-/.test(f));
    expect(Buffer.concat(shards.map((f) => fs.readFileSync(path.join(out, f)))).includes(torn.subarray(0, 2000))).toBe(false);
    expect(shiwakeJson(['stats', '--project', dir]).broken_items).toEqual([{ path: 'c0/torn.jpg', reason: expect.stringMatching(/^cannot be decoded/) }]);
    // decoded once, ever: the next export has nothing to check
    const again = shiwakeJson(['export', '--project', dir, '--format', 'folders', '--out', path.join(tmp, 'torn-folders')]);
    expect(again.verified_now.images).toBe(0);
    expect(again.files).toBe(6);
  });
});

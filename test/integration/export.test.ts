import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { fashionMnistInstalled, writeFashionMnistFolder } from '../../scripts/fashion-mnist.js';
import { readRecords } from '../../src-main/engine/tfrecord/record.js';
import { compareCodePoints } from '../../src-main/shared/order.js';
import { shiwake, shiwakeJson, spawnShiwake } from '../fixtures/cli.js';
import { bmpBytes, imageBytes, writeImage } from '../fixtures/images.js';
import { checkWithIndependentReader, independentReaderAvailable, type Expected } from '../fixtures/independentReader.js';
import { requireSystem, tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const haveReader = independentReaderAvailable();

/** What the database says an export must hold: active items with their split and label. */
function expectedFromDb(projectDir: string): Expected {
  const stats = shiwakeJson(['stats', '--project', projectDir]);
  const db = new Database(path.join(projectDir, 'shiwake.db'), { readonly: true });
  const rows = db
    .prepare("SELECT c.name, i.split, COUNT(*) AS n FROM items i JOIN categories c ON c.id = i.category_id WHERE i.status = 'active' GROUP BY c.name, i.split")
    .all() as { name: string; split: 'train' | 'validation'; n: number }[];
  db.close();
  const splits: Expected['splits'] = { train: {}, validation: {} };
  for (const r of rows) splits[r.split][r.name] = r.n;
  return { labels: stats.categories.map((c: { name: string }) => c.name).sort(compareCodePoints), splits };
}

describe('TFRecord export of mixed formats', () => {
  const root = path.join(tmp, 'mixed');
  const projectDir = path.join(tmp, 'mixed-project');
  let rgbJpeg: Buffer;

  beforeAll(async () => {
    rgbJpeg = await writeImage(path.join(root, 'Shoes/Sneakers/rgb.jpg'), { width: 50, height: 40, seed: 1 });
    for (let i = 0; i < 12; i++) await writeImage(path.join(root, 'Shoes/Sneakers', `s${i}.jpg`), { seed: 10 + i });
    await writeImage(path.join(root, 'Shoes/Sandals/grey.jpg'), { channels: 1, seed: 2 });
    fs.writeFileSync(path.join(root, 'Shoes/Sandals/cmyk.jpg'), await sharp(await imageBytes({ seed: 3 })).toColourspace('cmyk').jpeg().toBuffer());
    await writeImage(path.join(root, 'Shoes/Sandals/alpha.png'), { format: 'png', channels: 4, seed: 4 });
    await writeImage(path.join(root, 'Shoes/Sandals/w.webp'), { format: 'webp', seed: 5 });
    fs.writeFileSync(path.join(root, 'Shoes/Sandals/b.bmp'), bmpBytes(30, 20));
    await writeImage(path.join(root, 'Shoes/Sandals/big.png'), { format: 'png', width: 900, height: 300, seed: 6 });
    for (let i = 0; i < 6; i++) await writeImage(path.join(root, 'バッグ', `b${i}.gif`), { format: 'gif', seed: 20 + i });
    fs.writeFileSync(path.join(root, 'バッグ/broken.jpg'), rgbJpeg.subarray(0, 100));
    await writeImage(path.join(root, 'バッグ/excluded.jpg'), { seed: 30 });
    shiwakeJson(['import', root, '--project', projectDir]);
    expect(shiwake(['exclude', '--project', projectDir, 'バッグ/excluded.jpg']).code).toBe(0);
    shiwakeJson(['split', '--project', projectDir, '--validation', '0.25']);
  });

  it('writes shards, labels.txt and a manifest that the independent reader accepts', () => {
    const out = path.join(tmp, 'mixed-tfrecord');
    const m = shiwakeJson(['export', '--project', projectDir, '--format', 'tfrecord', '--out', out, '--train-shards', '3', '--validation-shards', '2', '--max-side', '256']);
    expect(fs.readdirSync(out).sort()).toEqual(['.shiwake-export.json', 'labels.txt', 'manifest.json', 'train-00000-of-00003', 'train-00001-of-00003', 'train-00002-of-00003', 'validation-00000-of-00002', 'validation-00001-of-00002']);
    expect(fs.readFileSync(path.join(out, 'labels.txt'), 'utf8')).toBe('Shoes > Sandals\nShoes > Sneakers\nバッグ\n');
    expect(m.left_out).toMatchObject({ excluded: 1, broken: 1, missing: 0, balance_plan: 0, failed: [] });
    expect(m.splits.train.records + m.splits.validation.records).toBe(25);
    expect(m.shards.map((s: { records: number }) => s.records).reduce((a: number, b: number) => a + b)).toBe(25);
    if (!haveReader) return;
    const result = checkWithIndependentReader(out, expectedFromDb(projectDir));
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, records: 25, shards: 5 });
  });

  it('passes RGB JPEGs through byte for byte and keeps the order repeatable for a seed', () => {
    const a = path.join(tmp, 'seed-a');
    const b = path.join(tmp, 'seed-b');
    shiwakeJson(['export', '--project', projectDir, '--format', 'tfrecord', '--out', a, '--seed', '5']);
    shiwakeJson(['export', '--project', projectDir, '--format', 'tfrecord', '--out', b, '--seed', '5']);
    expect(fs.readFileSync(path.join(a, 'train-00000-of-00001'))).toEqual(fs.readFileSync(path.join(b, 'train-00000-of-00001')));
    const all = Buffer.concat(['train-00000-of-00001', 'validation-00000-of-00001'].map((f) => fs.readFileSync(path.join(a, f))));
    expect(all.includes(rgbJpeg)).toBe(true);
  });

  it('exports a folder tree of hard links and a CSV manifest that imports back', () => {
    const folders = path.join(tmp, 'as-folders');
    const r = shiwakeJson(['export', '--project', projectDir, '--format', 'folders', '--out', folders]);
    expect(r.files).toBe(25);
    expect(r.linked + r.copied).toBe(25);
    expect(fs.statSync(path.join(folders, fs.existsSync(path.join(folders, 'train/Shoes/Sneakers/rgb.jpg')) ? 'train' : 'validation', 'Shoes/Sneakers/rgb.jpg')).nlink).toBeGreaterThan(1);
    const csvOut = path.join(tmp, 'as-csv');
    shiwakeJson(['export', '--project', projectDir, '--format', 'csv', '--out', csvOut]);
    const back = shiwakeJson(['import', root, '--project', path.join(tmp, 'from-csv'), '--manifest', path.join(csvOut, 'dataset.csv')]);
    expect(back.added).toBe(25);
  });

  it('survives a kill halfway: no partial shard under a final name, and a re-run completes', async () => {
    const big = path.join(tmp, 'kill-data');
    for (let i = 0; i < 400; i++) await writeImage(path.join(big, `c${i % 4}`, `${i}.png`), { format: 'png', width: 160, height: 160, seed: i });
    const dir = path.join(tmp, 'kill-project');
    shiwakeJson(['import', big, '--project', dir]);
    const out = path.join(tmp, 'kill-out');
    const child = spawnShiwake(['export', '--project', dir, '--format', 'tfrecord', '--out', out, '--train-shards', '40', '--validation-shards', '4'], { stdio: 'ignore' });
    const final = () => (fs.existsSync(out) ? fs.readdirSync(out).filter((f) => /^(train|validation)-\d{5}-of-\d{5}$/.test(f)) : []);
    while (final().length < 3 && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const shardsAtKill = final();
    expect(shardsAtKill.length).toBeGreaterThan(0);
    expect(shardsAtKill.length).toBeLessThan(44);
    for (const f of shardsAtKill) expect(() => [...readRecords(fs.readFileSync(path.join(out, f)), f)]).not.toThrow();
    expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(false);

    const m = shiwakeJson(['export', '--project', dir, '--format', 'tfrecord', '--out', out, '--train-shards', '40', '--validation-shards', '4']);
    expect(m.state).toBe('done');
    expect(final()).toHaveLength(44);
    expect(fs.readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    if (haveReader) expect(checkWithIndependentReader(out, expectedFromDb(dir))).toMatchObject({ ok: true, records: 400 });
  });
});

describe('Fashion-MNIST export', () => {
  it('passes the independent reader', async () => {
    if (!requireSystem('dataset-fashion-mnist', fashionMnistInstalled()) || !haveReader) return;
    const root = path.join(tmp, 'fashion');
    await writeFashionMnistFolder({ out: root, limitPerClass: 100 }); // per subset: 1,000 train + 1,000 test images
    const dir = path.join(tmp, 'fashion-project');
    shiwakeJson(['import', root, '--project', dir]);
    shiwakeJson(['split', '--project', dir]);
    const out = path.join(tmp, 'fashion-tfrecord');
    const m = shiwakeJson(['export', '--project', dir, '--format', 'tfrecord', '--out', out]);
    expect(m.splits.train.records + m.splits.validation.records).toBe(2000);
    expect(m.labels).toHaveLength(10);
    const result = checkWithIndependentReader(out, expectedFromDb(dir));
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, records: 2000 });
  }, 300_000); // 2,000 images imported, decoded once (no thumbnail job ran) and exported through the CLI
});

/**
 * The fast TFRecord path for verified JPEGs must write exactly what the record-by-record
 * writer wrote: the hashes below were taken from the export before it was made fast (same
 * images, same seed). If sharp's encoder changes (a new libvips), the re-encoded records change
 * and these hashes with them: re-take them from a build whose output you trust.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { splitDataset } from '../../src-main/engine/dataset/split.js';
import { verifyUndecoded } from '../../src-main/engine/dataset/verify.js';
import { exportTfrecord } from '../../src-main/engine/export/exportTfrecord.js';
import { Project } from '../../src-main/engine/project.js';
import { readRecords } from '../../src-main/engine/tfrecord/record.js';
import { shiwakeJson } from '../fixtures/cli.js';
import { bmpBytes, jpegWithMiddleCut, writeImage, TORN_JPEG_REASON } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

/** 60 images in 4 categories: RGB JPEGs of several sizes (passed through), greyscale JPEGs, PNG, WebP, BMP (re-encoded). */
async function mixedDataset(root: string): Promise<void> {
  const cats = ['apple', 'bag', 'cup', 'shoe'];
  for (let i = 0; i < 60; i++) {
    const dir = path.join(root, cats[i % cats.length]!);
    const size = { width: 24 + (i % 7) * 10, height: 20 + (i % 5) * 12, seed: i };
    if (i % 10 === 3) await writeImage(path.join(dir, `${i}.png`), { ...size, format: 'png' });
    else if (i % 10 === 5) await writeImage(path.join(dir, `${i}.webp`), { ...size, format: 'webp' });
    else if (i % 10 === 7) fs.writeFileSync(path.join(dir, `${i}.jpg`), await greyJpeg(size.width, size.height, i));
    else if (i === 9) fs.writeFileSync(path.join(dir, `${i}.bmp`), bmpBytes(30, 20));
    else await writeImage(path.join(dir, `${i}.jpg`), size);
  }
}

async function greyJpeg(width: number, height: number, seed: number): Promise<Buffer> {
  const px = Buffer.alloc(width * height);
  for (let i = 0; i < px.length; i++) px[i] = (i * 5 + seed * 17) & 0xff;
  return sharp(px, { raw: { width, height, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 80 }).toBuffer();
}

function shardHash(out: string): string {
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(out).filter((f) => /^(train|validation)-\d{5}-of-\d{5}$/.test(f)).sort()) {
    h.update(f);
    h.update(fs.readFileSync(path.join(out, f)));
  }
  h.update(fs.readFileSync(path.join(out, 'labels.txt')));
  return h.digest('hex');
}

describe('TFRecord export of verified images', () => {
  it('writes the same bytes as before it was made fast (mixed formats, fixed seed, with and without --max-side)', async () => {
    const root = path.join(tmp, 'mixed');
    await mixedDataset(root);
    const project = Project.openOrCreate(path.join(tmp, 'mixed-project'), root);
    await importDataset(project);
    await verifyUndecoded(project);
    await splitDataset(project, { seed: 5 });
    const plain = path.join(tmp, 'mixed-plain');
    const m = await exportTfrecord(project, { out: plain, seed: 11, trainShards: 3, validationShards: 2 });
    expect(m).toMatchObject({ passed_through: 41, re_encoded: 19, verified_now: { images: 0 } });
    const sides = path.join(tmp, 'mixed-sides');
    const s = await exportTfrecord(project, { out: sides, seed: 3, maxSide: 50, trainShards: 2, validationShards: 1, quality: 90 });
    expect(s.passed_through + s.re_encoded).toBe(60);
    project.close();
    expect(shardHash(plain)).toBe('615d138243387706332b5ee2d48241af294835e7b8f2ca353becc73dd7790a9b');
    expect(shardHash(sides)).toBe('8972d8244ef2d33d4bad707fe35d77bf526dcb9f4ad404218476bbf1e2b9f27c');
  });

  it('still decodes an unverified JPEG missing its middle, leaves it out, and says how many it decoded', async () => {
    const root = path.join(tmp, 'torn');
    for (let i = 0; i < 20; i++) await writeImage(path.join(root, `c${i % 2}`, `${i}.jpg`), { seed: i, width: 64, height: 48 });
    const dir = path.join(tmp, 'torn-project');
    const project = Project.openOrCreate(dir, root);
    await importDataset(project);
    await verifyUndecoded(project);
    project.close();
    // added after the others were verified: only this one is unchecked when the export starts
    const torn = await jpegWithMiddleCut({ seed: 4 });
    fs.writeFileSync(path.join(root, 'c1/torn.jpg'), torn);
    const again = Project.open(dir);
    await importDataset(again);
    again.close();
    const out = path.join(tmp, 'torn-out');
    const m = shiwakeJson(['export', '--project', dir, '--format', 'tfrecord', '--out', out, '--train-shards', '2']);
    expect(m.verified_now).toMatchObject({ images: 1, broken: [{ path: 'c1/torn.jpg', reason: expect.stringMatching(TORN_JPEG_REASON) }] });
    expect(m.splits.train.records + m.splits.validation.records).toBe(20);
    const records = fs
      .readdirSync(out)
      .filter((f) => /^(train|validation)-/.test(f))
      .flatMap((f) => [...readRecords(fs.readFileSync(path.join(out, f)), f)]);
    expect(records).toHaveLength(20);
    expect(records.some((r) => r.includes(torn.subarray(0, 1500)))).toBe(false);
  });

  it('re-checks a verified JPEG whose file changed after the import, instead of passing it through', async () => {
    const root = path.join(tmp, 'changed');
    for (let i = 0; i < 8; i++) await writeImage(path.join(root, 'a', `${i}.jpg`), { seed: i, width: 256, height: 256 });
    const dir = path.join(tmp, 'changed-project');
    const project = Project.openOrCreate(dir, root);
    await importDataset(project);
    await verifyUndecoded(project);
    // torn after it was verified, and no import since: the export must not trust the old check
    fs.writeFileSync(path.join(root, 'a/3.jpg'), await jpegWithMiddleCut({ seed: 3 }));
    const m = await exportTfrecord(project, { out: path.join(tmp, 'changed-out'), trainShards: 1 });
    project.close();
    expect(m.left_out.failed).toEqual([{ path: 'a/3.jpg', reason: expect.stringMatching(new RegExp(`changed since|${TORN_JPEG_REASON.source}`)) }]);
    expect(m.splits.train.records + m.splits.validation.records).toBe(7);
  });
});

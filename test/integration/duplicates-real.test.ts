/**
 * Near duplicates on real images and real embeddings: a photo and the same photo resized and
 * re-encoded (other bytes, other format) are found as one group by a tiny trained run's
 * embeddings (`shiwake review` computes them), and flagged as a leak across the split.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { idsForPaths } from '../../src-main/engine/dataset/labels.js';
import { Project } from '../../src-main/engine/project.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { noisySolid } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
const COLOURS: Record<string, [number, number, number]> = { Red: [220, 30, 30], Blue: [30, 40, 220], Green: [40, 200, 60] };
let run: string;

beforeAll(async () => {
  for (const [name, rgb] of Object.entries(COLOURS)) {
    fs.mkdirSync(path.join(root, name), { recursive: true });
    for (let i = 0; i < 10; i++) {
      fs.writeFileSync(path.join(root, name, `${i}.png`), await noisySolid(rgb, i, { spread: 40 }));
    }
  }
  // a photo (a diagonal gradient, unlike the flat colours) and its resized, re-encoded copy
  const w = 64;
  const h = 48;
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set([(x * 4) & 0xff, (y * 5) & 0xff, ((x + y) * 3) & 0xff], (y * w + x) * 3);
  const photo = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  fs.writeFileSync(path.join(root, 'Red/photo.jpg'), photo);
  fs.writeFileSync(path.join(root, 'Blue/photo-small.webp'), await sharp(photo).resize(32, 24).webp({ quality: 60 }).toBuffer());

  shiwakeJson(['import', root, '--project', projectDir]);
  shiwakeJson(['split', '--project', projectDir]);
  const p = Project.open(projectDir);
  p.plan.setSplits(new Map([[idsForPaths(p, ['Red/photo.jpg'])[0]!, 'train'], [idsForPaths(p, ['Blue/photo-small.webp'])[0]!, 'validation']]));
  p.close();
  const t = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '8', '--epochs', '2', '--batch-size', '8', '--learning-rate', '0.01', '--seed', '2', '--json']);
  expect(t.code, t.stderr).toBe(0);
  run = JSON.parse(t.stdout.trim().split('\n').at(-1)!).run;
  const r = shiwake(['review', '--project', projectDir, '--run', run, '--json']);
  expect(r.code, r.stderr).toBe(0);
}, 600_000);

describe('near duplicates with real embeddings', () => {
  it('groups a photo with its resized, re-encoded copy and flags the leak', () => {
    const r = shiwake(['duplicates', '--project', projectDir, '--run', run, '--threshold', '0.99', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const groups = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { paths: string[]; similarity: number; splits: string[]; leak: boolean });
    const group = groups.find((g) => g.paths.includes('Red/photo.jpg'));
    expect(group, r.stdout).toBeDefined();
    expect(group!.paths).toContain('Blue/photo-small.webp');
    expect(group!.leak).toBe(true);
    expect(group!.similarity).toBeGreaterThanOrEqual(0.99);
    // not everything is one blur: the flat colours are not grouped with the photo
    expect(group!.paths.length).toBeLessThan(6);
  }, 120_000);
});

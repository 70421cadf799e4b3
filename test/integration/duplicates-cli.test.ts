import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { idsForPaths } from '../../src-main/engine/dataset/labels.js';
import { splitDataset } from '../../src-main/engine/dataset/split.js';
import { Project } from '../../src-main/engine/project.js';
import { shiwake } from '../fixtures/cli.js';
import { imageBytes } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
const dir = path.join(tmp, 'project');

beforeAll(async () => {
  for (const cat of ['Bags', 'Hats']) {
    fs.mkdirSync(path.join(root, cat), { recursive: true });
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(root, cat, `${i}.png`), await imageBytes({ format: 'png', seed: i + (cat === 'Hats' ? 100 : 0), width: 12, height: 12 }));
  }
  const same = await imageBytes({ format: 'png', seed: 999, width: 12, height: 12 });
  fs.writeFileSync(path.join(root, 'Bags/copy-a.png'), same);
  fs.writeFileSync(path.join(root, 'Hats/copy-b.png'), same);
  const p = Project.openOrCreate(dir, root);
  await importDataset(p);
  await splitDataset(p, { validation: 0.25, seed: 1 });
  // a leak as an older split (or a manifest) could leave it: the two copies on both sides
  p.plan.setSplits(new Map([[idsForPaths(p, ['Bags/copy-a.png'])[0]!, 'train'], [idsForPaths(p, ['Hats/copy-b.png'])[0]!, 'validation']]));
  p.close();
});

describe('shiwake duplicates', () => {
  it('prints one JSON line per exact group without --run, and says so in text', async () => {
    const json = shiwake(['duplicates', '--project', dir, '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(json.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { paths: ['Bags/copy-a.png', 'Hats/copy-b.png'], similarity: 1, splits: ['train', 'validation'], leak: true },
    ]);
    const text = shiwake(['duplicates', '--project', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/exact duplicates only/);
    expect(text.stdout).toMatch(/leak/);
    const bad = shiwake(['duplicates', '--project', dir, '--threshold', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/threshold/);
  }, 300_000); // three CLI starts: seconds each, a minute on a loaded machine
  it('names the missing step when a run has no embeddings', () => {
    const r = shiwake(['duplicates', '--project', dir, '--run', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no run "nope"/);
  }, 120_000);
});

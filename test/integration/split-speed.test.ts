/**
 * The split's result is fixed by its seed: this pins the assignment of a dataset with many
 * equal-size files and exact duplicates (across categories too), so work on how fast duplicates
 * are hashed cannot change which items land in validation.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { splitDataset } from '../../src-main/engine/dataset/split.js';
import { Project } from '../../src-main/engine/project.js';
import { imageBytes } from '../fixtures/images.js';
import { jpegVariant } from '../fixtures/jpegVariants.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');

beforeAll(async () => {
  const bases = await Promise.all([0, 1, 2].map((seed) => imageBytes({ format: 'jpeg', seed, width: 16 + seed * 4, height: 16 })));
  const categories = ['Bags', 'Shoes > Men', 'Shoes > Women', 'Hats'];
  let k = 0;
  for (const [c, name] of categories.entries()) {
    const dir = path.join(root, ...name.split(' > '));
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 40 + c * 25; i++) fs.writeFileSync(path.join(dir, `${i}.jpg`), jpegVariant(bases[i % 3]!, k++));
  }
  // exact duplicates: the same variant twice in one category and once in another
  for (const p of ['Bags/dup-a.jpg', 'Bags/dup-b.jpg', 'Hats/dup-c.jpg']) fs.writeFileSync(path.join(root, p), jpegVariant(bases[0]!, 7));
  for (const p of ['Shoes/Men/dup-d.jpg', 'Shoes/Women/dup-e.jpg']) fs.writeFileSync(path.join(root, p), jpegVariant(bases[1]!, 1_000));
});

function assignment(p: Project): string {
  const rows = p.db.prepare("SELECT path, split, content_hash AS hash FROM items WHERE status = 'active' ORDER BY path").all() as { path: string; split: string; hash: string | null }[];
  return rows.map((r) => `${r.path} ${r.split}`).join('\n');
}
const digest = (s: string): string => crypto.createHash('sha256').update(s).digest('hex').slice(0, 16);

describe('split result', () => {
  it('is the same assignment for the same seed, whatever the hashing does', async () => {
    const p = Project.openOrCreate(path.join(tmp, 'a'), root);
    await importDataset(p);
    const s = await splitDataset(p, { validation: 0.2, seed: 7 });
    expect({ train: s.train, validation: s.validationItems, groups: s.duplicateGroups }).toEqual({ train: 253, validation: 62, groups: 2 });
    expect(digest(assignment(p))).toBe('e1150bdb3ce21d29');
    // duplicates are in one split, wherever they are
    const splits = assignment(p).split('\n');
    const of = (name: string) => splits.find((l) => l.startsWith(name))!.split(' ')[1];
    expect(new Set(['Bags/dup-a.jpg', 'Bags/dup-b.jpg', 'Hats/dup-c.jpg'].map(of)).size).toBe(1);
    expect(of('Shoes/Men/dup-d.jpg')).toBe(of('Shoes/Women/dup-e.jpg'));
    // hashed again from nothing, or with the hashes kept: the same assignment
    p.db.prepare('UPDATE items SET content_hash = NULL').run();
    await splitDataset(p, { validation: 0.2, seed: 7, reset: true });
    expect(digest(assignment(p))).toBe('e1150bdb3ce21d29');
    await splitDataset(p, { validation: 0.2, seed: 7, reset: true });
    expect(digest(assignment(p))).toBe('e1150bdb3ce21d29');
    p.close();
  });

  it('hashes in batches, leaves a file that cannot be read unhashed, and splits anyway', async () => {
    const data = path.join(tmp, 'gone');
    fs.mkdirSync(path.join(data, 'A'), { recursive: true });
    const base = await imageBytes({ format: 'jpeg', seed: 5 });
    // more files than one worker batch, all of one size
    for (let i = 0; i < 2_300; i++) fs.writeFileSync(path.join(data, 'A', `${i}.jpg`), jpegVariant(base, i));
    const p = Project.openOrCreate(path.join(tmp, 'gone-project'), data);
    await importDataset(p);
    fs.rmSync(path.join(data, 'A', '17.jpg'));
    const s = await splitDataset(p, { validation: 0.1, seed: 1 });
    expect(s.train + s.validationItems).toBe(2_300);
    const rows = p.db.prepare('SELECT path, content_hash AS hash FROM items').all() as { path: string; hash: string | null }[];
    expect(rows.filter((r) => r.hash === null).map((r) => r.path)).toEqual(['A/17.jpg']);
    const sha1 = crypto.createHash('sha1').update(jpegVariant(base, 2_000)).digest('hex');
    expect(rows.find((r) => r.path === 'A/2000.jpg')!.hash).toBe(sha1);
    p.close();
  });
});

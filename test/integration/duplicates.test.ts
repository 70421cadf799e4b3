import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { putGroupsInOneSplit } from '../../src-main/engine/dataset/groupSplit.js';
import { idsForPaths, undo } from '../../src-main/engine/dataset/labels.js';
import { splitDataset } from '../../src-main/engine/dataset/split.js';
import { Project } from '../../src-main/engine/project.js';
import { Studio } from '../../src-main/engine/studio/studio.js';
import type { DuplicatePage } from '../../src-main/shared/duplicates.js';
import { findDuplicates, keepOneOfEach, refreshGroups, type Embeddings } from '../../src-main/engine/review/duplicates.js';
import { imageBytes } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');

beforeAll(async () => {
  for (const [cat, n] of [['Bags', 12], ['Hats', 12]] as const) {
    fs.mkdirSync(path.join(root, cat), { recursive: true });
    for (let i = 0; i < n; i++) fs.writeFileSync(path.join(root, cat, `${i}.png`), await imageBytes({ format: 'png', seed: i + (cat === 'Hats' ? 100 : 0), width: 12, height: 12 }));
  }
  // the same bytes twice, under two categories
  const same = await imageBytes({ format: 'png', seed: 999, width: 12, height: 12 });
  fs.writeFileSync(path.join(root, 'Bags/copy-a.png'), same);
  fs.writeFileSync(path.join(root, 'Hats/copy-b.png'), same);
  // one photo and the same photo resized and re-encoded: different bytes, near in content
  const photo = await imageBytes({ format: 'jpeg', seed: 500, width: 64, height: 48 });
  fs.writeFileSync(path.join(root, 'Bags/photo.jpg'), photo);
  fs.writeFileSync(path.join(root, 'Hats/photo-small.webp'), await sharp(photo).resize(32, 24).webp({ quality: 70 }).toBuffer());
});

async function project(name: string): Promise<Project> {
  const p = Project.openOrCreate(path.join(tmp, name), root);
  await importDataset(p);
  await splitDataset(p, { validation: 0.25, seed: 1 });
  return p;
}

/** Unit vectors for every active item: random directions, except that `pairs` point (almost) the same way. */
function constructedEmbeddings(p: Project, pairs: [string, string][], dim = 16): Embeddings {
  const items = p.plan.activeItems();
  let s = 12345;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  const vectors = new Float32Array(items.length * dim).map(rnd);
  const row = new Map(items.map((it, i) => [it.path, i]));
  for (const [a, b] of pairs) {
    const ra = row.get(a)!;
    const rb = row.get(b)!;
    for (let j = 0; j < dim; j++) vectors[rb * dim + j] = vectors[ra * dim + j]! + (j === 0 ? 0.02 : 0);
  }
  for (let i = 0; i < items.length; i++) {
    const v = vectors.subarray(i * dim, (i + 1) * dim);
    const norm = Math.hypot(...v);
    for (let j = 0; j < dim; j++) v[j]! /= norm;
  }
  return { ids: Int32Array.from(items.map((it) => it.id)), dim, vectors };
}

const setSplit = (p: Project, paths: string[], split: 'train' | 'validation') => p.plan.setSplits(new Map(idsForPaths(p, paths).map((id) => [id, split])));

describe('duplicates', () => {
  it('groups exact duplicates by content without embeddings, and finds near ones with them', async () => {
    const p = await project('find');
    const exact = await findDuplicates(p);
    expect(exact.near).toBe(false);
    expect(exact.groups).toHaveLength(1);
    expect(exact.groups[0]).toMatchObject({ kind: 'exact', paths: ['Bags/copy-a.png', 'Hats/copy-b.png'], similarity: 1 });

    const emb = constructedEmbeddings(p, [['Bags/photo.jpg', 'Hats/photo-small.webp']]);
    const both = await findDuplicates(p, { embeddings: emb, threshold: 0.97 });
    expect(both.near).toBe(true);
    const near = both.groups.filter((g) => g.kind === 'near');
    expect(near.map((g) => g.paths)).toEqual([['Bags/photo.jpg', 'Hats/photo-small.webp']]);
    expect(near[0]!.similarity).toBeGreaterThan(0.97);
    expect(near[0]!.similarity).toBeLessThan(1);
    // a threshold above the pair's similarity leaves only the exact group
    const strict = await findDuplicates(p, { embeddings: emb, threshold: 0.99999 });
    expect(strict.groups.map((g) => g.kind)).toEqual(['exact']);
    await expect(findDuplicates(p, { threshold: 1.5 })).rejects.toThrow(/threshold/);
    p.close();
  });

  it('finds the same near group through the approximate index at 5,000 vectors and more', async () => {
    const p = await project('indexed');
    const small = constructedEmbeddings(p, [['Bags/photo.jpg', 'Hats/photo-small.webp']]);
    // 6,000 more rows for items not in this project (as a run's embeddings of since-deleted items): indexed, never grouped
    const extra = 6000;
    let s = 99;
    const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
    const vectors = new Float32Array((small.ids.length + extra) * small.dim);
    vectors.set(small.vectors);
    for (let i = small.ids.length; i < small.ids.length + extra; i++) {
      const v = vectors.subarray(i * small.dim, (i + 1) * small.dim).map(rnd);
      const norm = Math.hypot(...v);
      vectors.set(v.map((x) => x / norm), i * small.dim);
    }
    const ids = Int32Array.from([...small.ids, ...Array.from({ length: extra }, (_, i) => 1_000_000 + i)]);
    const progress: string[] = [];
    const report = await findDuplicates(p, { embeddings: { ids, dim: small.dim, vectors }, onProgress: (x) => progress.push(x.phase) });
    expect(report.groups.map((g) => g.paths).sort()).toEqual([['Bags/copy-a.png', 'Hats/copy-b.png'], ['Bags/photo.jpg', 'Hats/photo-small.webp']]);
    expect(progress).toContain('indexing embeddings'); // the index, not the exact search, was used
    p.close();
  });

  it('flags a group in both train and validation as a leak, and puts it into one split', async () => {
    const p = await project('leak');
    setSplit(p, ['Bags/photo.jpg'], 'train');
    setSplit(p, ['Hats/photo-small.webp'], 'validation');
    const emb = constructedEmbeddings(p, [['Bags/photo.jpg', 'Hats/photo-small.webp']]);
    const report = await findDuplicates(p, { embeddings: emb });
    const leak = report.groups.find((g) => g.kind === 'near')!;
    expect(leak).toMatchObject({ leak: true, splits: ['train', 'validation'] });
    expect(report.groups[0]).toBe(leak); // leaks are listed first

    const fixed = putGroupsInOneSplit(p, [leak.ids]);
    expect(fixed).toMatchObject({ changed: 1, groups: 1 });
    const [after] = refreshGroups(p, [leak]);
    expect(after).toMatchObject({ leak: false, splits: ['train', 'train'] });
    expect(putGroupsInOneSplit(p, [leak.ids]).changed).toBe(0);

    // a majority decides: two in validation, one in train -> validation
    setSplit(p, ['Bags/photo.jpg', 'Hats/photo-small.webp'], 'validation');
    setSplit(p, ['Bags/0.png'], 'train');
    putGroupsInOneSplit(p, [[...leak.ids, ...idsForPaths(p, ['Bags/0.png'])]]);
    expect(refreshGroups(p, [{ ...leak, ids: [...leak.ids, ...idsForPaths(p, ['Bags/0.png'])] }])[0]!.splits).toEqual(['validation', 'validation', 'validation']);
    p.close();
  });

  it('keeps one of each group and excludes the rest as one undoable batch', async () => {
    const p = await project('keep');
    const emb = constructedEmbeddings(p, [['Bags/photo.jpg', 'Hats/photo-small.webp']]);
    const { groups } = await findDuplicates(p, { embeddings: emb });
    expect(groups).toHaveLength(2);
    const result = keepOneOfEach(p, groups.map((g) => ({ keep: g.ids[0]!, members: g.ids })));
    expect(result.changed).toBe(2);
    expect(result.batch).not.toBeNull();
    expect(refreshGroups(p, groups)).toEqual([]);
    expect((await findDuplicates(p, { embeddings: emb })).groups).toEqual([]);
    expect(() => keepOneOfEach(p, [{ keep: 999_999, members: groups[0]!.ids }])).toThrow(/not in its duplicate group/);

    expect(undo(p)?.changed).toBe(2);
    expect(refreshGroups(p, groups)).toHaveLength(2);
    p.close();
  });

  it('studio: lists groups (leaks only on request), keeps one (undoable) and puts a leak into one split', async () => {
    const p = await project('studio');
    setSplit(p, ['Bags/copy-a.png'], 'train');
    setSplit(p, ['Hats/copy-b.png'], 'validation');
    p.close();
    const events: { event: string; payload: any }[] = [];
    const studio = new Studio({ mode: 'browser', version: 'test' }, (event, payload) => void events.push({ event, payload }));
    const call = async <T>(method: string, args: unknown): Promise<T> => {
      const r = await studio.handle(method as never, args);
      if (!r.ok) throw new Error(r.error);
      return r.value as T;
    };
    await call('project.open', { dir: path.join(tmp, 'studio') });
    const page = await call<DuplicatePage>('duplicates.list', { offset: 0, limit: 10 });
    expect(page).toMatchObject({ total: 1, leaks: 1, near: false, searching: null });
    // the search ran as a job (progress in the status bar at 1M items)
    expect(events.find((e) => e.event === 'onJobDone')?.payload).toMatchObject({ kind: 'duplicates', state: 'done', message: '1 group, 1 in both train and validation' });
    expect(page.groups[0]!.items.map((i) => [i.path, i.split])).toEqual([['Bags/copy-a.png', 'train'], ['Hats/copy-b.png', 'validation']]);
    expect(page.groups[0]!.items[0]).toMatchObject({ status: 'active', size: expect.any(Number), mtimeMs: expect.any(Number) });
    expect((await studio.handle('duplicates.list', { offset: 0, limit: 10, threshold: 2 })).ok).toBe(false);
    expect(await call('duplicates.list', { run: 'nope', offset: 0, limit: 10 }).catch((e: Error) => e.message)).toMatch(/no run "nope"/);

    const ids = page.groups[0]!.items.map((i) => i.id);
    expect(await call('duplicates.oneSplit', { groups: [ids] })).toMatchObject({ changed: 1, groups: 1 });
    expect(await call<DuplicatePage>('duplicates.list', { offset: 0, limit: 10, leakOnly: true })).toMatchObject({ total: 0, leaks: 0 });

    const kept = await call<{ batch: number; changed: number }>('duplicates.keepOne', { groups: [{ keep: ids[1], members: ids }] });
    expect(kept.changed).toBe(1);
    expect((await call<DuplicatePage>('duplicates.list', { offset: 0, limit: 10 })).total).toBe(0);
    await call('labels.undoBatch', { batch: kept.batch });
    expect((await call<DuplicatePage>('duplicates.list', { offset: 0, limit: 10 })).total).toBe(1);
    await call('project.close', {});
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appliedPlan, applyBalance, distribution, mergeCategories, planBalance } from '../../src-main/engine/dataset/balance.js';
import { Studio } from '../../src-main/engine/studio/studio.js';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { idsForPaths, moveItems, undo } from '../../src-main/engine/dataset/labels.js';
import { splitDataset } from '../../src-main/engine/dataset/split.js';
import { Project } from '../../src-main/engine/project.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { imageBytes } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
const sizes: Record<string, number> = { Bags: 57, 'Men > Shoes': 120, 'Women > Shoes': 33, Hats: 4, Scarves: 1 };

beforeAll(async () => {
  let seed = 0;
  for (const [name, n] of Object.entries(sizes)) {
    const dir = path.join(root, ...name.split(' > '));
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < n; i++) fs.writeFileSync(path.join(dir, `${i}.png`), await imageBytes({ format: 'png', seed: seed++, width: 12, height: 12 }));
  }
  // exact duplicates: one picture three times in Bags, and once more under another category
  const dup = await imageBytes({ format: 'png', seed: 999, width: 12, height: 12 });
  for (const p of ['Bags/dup-a.png', 'Bags/dup-b.png', 'Bags/dup-c.png', 'Women/Shoes/dup-d.png']) fs.writeFileSync(path.join(root, p), dup);
});

async function project(name: string): Promise<Project> {
  const p = Project.openOrCreate(path.join(tmp, name), root);
  await importDataset(p);
  return p;
}

const splitOf = (p: Project) => new Map((p.db.prepare("SELECT path, split FROM items WHERE status = 'active'").all() as { path: string; split: string }[]).map((r) => [r.path, r.split]));

describe('split', () => {
  it('is stratified within one item per category and reports categories too small to split', async () => {
    const p = await project('strat');
    const s = await splitDataset(p, { validation: 0.1, seed: 42 });
    for (const c of s.categories) expect(Math.abs(c.validation - c.items * 0.1), c.name).toBeLessThanOrEqual(1);
    expect(s.tooSmall.map((t) => t.name).sort()).toEqual(['Hats', 'Scarves']);
    expect(s.categories.find((c) => c.name === 'Scarves')).toMatchObject({ items: 1, train: 1, validation: 0 });
    expect(s.duplicateGroups).toBe(1);
    p.close();
  });

  it('is repeatable for a seed, differs for another, and never splits duplicates', async () => {
    const a = await project('seed-a');
    const b = await project('seed-b');
    await splitDataset(a, { seed: 7 });
    await splitDataset(b, { seed: 7 });
    expect(splitOf(a)).toEqual(splitOf(b));
    await splitDataset(b, { seed: 8 });
    expect(splitOf(a)).not.toEqual(splitOf(b));
    for (const p of [a, b]) {
      const dups = ['Bags/dup-a.png', 'Bags/dup-b.png', 'Bags/dup-c.png', 'Women/Shoes/dup-d.png'].map((x) => splitOf(p).get(x));
      expect(new Set(dups).size).toBe(1);
      p.close();
    }
  });

  it('keeps splits when items are relabeled, and places only new items on a re-run', async () => {
    const p = await project('keep');
    await splitDataset(p, { seed: 3 });
    const before = splitOf(p);
    moveItems(p, idsForPaths(p, ['Bags/0.png', 'Bags/1.png', 'Bags/2.png', 'Bags/3.png']), 'Hats');
    const again = await splitDataset(p, { seed: 3 });
    expect(again.placed).toBe(0);
    expect(splitOf(p)).toEqual(before);
    p.close();
  });

  it('works through the CLI, with clear errors for bad values', () => {
    const dir = path.join(tmp, 'cli');
    shiwakeJson(['import', root, '--project', dir]);
    const s = shiwakeJson(['split', '--project', dir, '--validation', '0.2', '--seed', '1']);
    expect(s.validationItems + s.train).toBe(219);
    const bad = shiwake(['split', '--project', dir, '--validation', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--validation must be a share between 0 and 1/);
  });
});

describe('balance', () => {
  it('shows the distribution with min, median, max and imbalance', async () => {
    const p = await project('dist');
    expect(distribution(p).summary).toEqual({ categories: 5, items: 219, min: 1, median: 34, max: 120, imbalance: 120 });
    p.close();
  });

  it('caps, drops and oversamples with exact counts, in training only', async () => {
    const p = await project('plan');
    await splitDataset(p, { seed: 42 });
    const plan = planBalance(p, { maxPerCategory: 50, minPerCategory: 10, oversample: true, seed: 1 });
    const by = Object.fromEntries(plan.categories.map((c) => [c.name, c]));
    expect(by['Men > Shoes']).toMatchObject({ items: 108, kept: 50, dropped: 58, final: 50, validation: 12, action: 'cap' });
    expect(by['Hats']).toMatchObject({ items: 4, kept: 4, repeated: 6, final: 10, action: 'oversample' });
    expect(by['Scarves']).toMatchObject({ items: 1, repeated: 9, final: 10 });
    expect(plan.totals.final).toBe(plan.categories.reduce((s, c) => s + c.final, 0));
    const copies = [...plan.copies.values()];
    expect(copies.filter((c) => c === 0)).toHaveLength(58 + (by['Bags']!.dropped));
    const drop = planBalance(p, { minPerCategory: 10 });
    expect(drop.categories.find((c) => c.name === 'Hats')).toMatchObject({ kept: 0, dropped: 4, final: 0, validation: 0, action: 'drop' });
    applyBalance(p, plan);
    expect(p.db.prepare('SELECT SUM(copies) FROM balance_items WHERE copies > 1').pluck().get()).toBe(10 + 10);
    p.close();
  });

  it('marks an applied plan stale after relabels and new imports, says what changed, and re-plans on request', async () => {
    const staleRoot = path.join(tmp, 'stale-data');
    const add = async (cat: string, from: number, n: number) => {
      fs.mkdirSync(path.join(staleRoot, cat), { recursive: true });
      for (let i = from; i < from + n; i++) fs.writeFileSync(path.join(staleRoot, cat, `${i}.png`), await imageBytes({ format: 'png', seed: 5000 + i + cat.length * 100, width: 8, height: 8 }));
    };
    await add('Big', 0, 12);
    await add('Small', 0, 3);
    const dir = path.join(tmp, 'stale');
    const p = Project.openOrCreate(dir, staleRoot);
    await importDataset(p);
    applyBalance(p, planBalance(p, { maxPerCategory: 5 }));
    expect(appliedPlan(p)).toMatchObject({ options: { maxPerCategory: 5 }, stale: null });

    moveItems(p, idsForPaths(p, ['Big/0.png', 'Big/1.png']), 'Small');
    expect(appliedPlan(p)!.stale).toEqual(['Big: 12 train + 0 validation -> 10 train + 0 validation', 'Small: 3 train + 0 validation -> 5 train + 0 validation']);
    undo(p);
    expect(appliedPlan(p)!.stale).toBeNull(); // back to the items it was made for

    await add('Big', 100, 3);
    await add('New', 0, 2);
    await importDataset(p);
    expect(appliedPlan(p)!.stale).toEqual(['Big: 12 train + 0 validation -> 15 train + 0 validation', 'New: new (2 train + 0 validation)']);

    // the studio's Balance view says so too
    const studio = new Studio({ mode: 'browser', version: 'test' }, () => {});
    expect((await studio.handle('project.open', { dir })).ok).toBe(true);
    const view = await studio.handle('balance.preview', {});
    expect(view).toMatchObject({ ok: true, value: { applied: { maxPerCategory: 5 }, stale: expect.arrayContaining(['New: new (2 train + 0 validation)']) } });
    await studio.handle('project.close', {});
    p.close();

    const text = shiwake(['balance', '--project', dir]);
    expect(text.stdout).toMatch(/It is stale: the items changed since it was applied[^\n]*\n {2}Big: 12 train \+ 0 validation -> 15 train \+ 0 validation\n {2}New: new/);
    expect(text.stdout).toMatch(/Re-plan with the same options: shiwake balance --replan/);
    expect(shiwake(['balance', '--project', dir, '--replan', '--max-per-category', '3']).code).toBe(2);
    const replanned = shiwakeJson(['balance', '--project', dir, '--replan']);
    expect(replanned).toMatchObject({ applied: true, applied_plan: { options: { maxPerCategory: 5 }, stale: false, changes: [] } });
    expect(replanned.plan.categories.find((c: { name: string }) => c.name === 'Big')).toMatchObject({ items: 15, kept: 5 });
    expect(shiwakeJson(['balance', '--project', dir]).applied_plan.stale).toBe(false);
  });

  it('merges categories as one undoable batch', async () => {
    const p = await project('merge');
    const r = mergeCategories(p, ['Women > Shoes'], 'Men > Shoes');
    expect(r.changed).toBe(34);
    expect(distribution(p).categories.find((c) => c.name === 'Men > Shoes')!.count).toBe(154);
    undo(p);
    expect(distribution(p).categories.find((c) => c.name === 'Men > Shoes')!.count).toBe(120);
    expect(() => mergeCategories(p, ['Nope'], 'Bags')).toThrow(/there is no category "Nope"/);
    p.close();
  });
});

import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { excludeItems, idsForPaths, itemHistory, moveItems, redo, restoreItems, undo } from '../../src-main/engine/dataset/labels.js';
import { projectStats } from '../../src-main/engine/dataset/stats.js';
import { Project } from '../../src-main/engine/project.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
let projectDir: string;
let n = 0;

async function freshProject(): Promise<Project> {
  if (n === 0) for (let i = 0; i < 8; i++) await writeImage(path.join(root, i < 4 ? 'Men/Sneakers' : 'Women/Sneakers', `${i}.jpg`), { seed: i });
  projectDir = path.join(tmp, `project-${n++}`);
  const project = Project.openOrCreate(projectDir, root);
  await importDataset(project);
  return project;
}

const counts = (p: Project) => Object.fromEntries(projectStats(p).categories.map((c) => [c.name, c.count]));

describe('relabel, exclude, undo, redo, history', () => {
  let project: Project;
  beforeEach(async () => {
    project?.close();
    project = await freshProject();
  });

  it('moves many items in one batch, to an existing or a new category, and undoes/redoes it whole', () => {
    const ids = idsForPaths(project, ['Men/Sneakers/0.jpg', 'Men/Sneakers/1.jpg', 'Women/Sneakers/4.jpg']);
    const move = moveItems(project, ids, 'Unisex > Sneakers');
    expect(move).toMatchObject({ changed: 3, description: 'move 3 items to Unisex > Sneakers (new category)' });
    expect(counts(project)).toEqual({ 'Men > Sneakers': 2, 'Women > Sneakers': 3, 'Unisex > Sneakers': 3 });
    expect(project.categories.findId('Unisex')).toBeDefined(); // the parent exists for the tree

    expect(undo(project)).toMatchObject({ batch: move.batch, changed: 3 });
    expect(counts(project)).toEqual({ 'Men > Sneakers': 4, 'Women > Sneakers': 4 });
    expect(redo(project)).toMatchObject({ batch: move.batch, changed: 3 });
    expect(counts(project)).toEqual({ 'Men > Sneakers': 2, 'Women > Sneakers': 3, 'Unisex > Sneakers': 3 });
    expect(redo(project)).toBeUndefined();
  });

  it('undoes in reverse order, and a new change clears the redo stack', () => {
    const [a, b] = idsForPaths(project, ['Men/Sneakers/0.jpg', 'Men/Sneakers/1.jpg']) as [number, number];
    moveItems(project, [a], 'Women > Sneakers');
    excludeItems(project, [b]);
    expect(undo(project)?.description).toBe('exclude 1 item');
    expect(project.items.get(b)!.status).toBe('active');
    expect(undo(project)?.description).toBe('move 1 item to Women > Sneakers');
    expect(undo(project)).toBeUndefined();
    moveItems(project, [b], 'Bags');
    expect(redo(project)).toBeUndefined();
    expect(project.categories.nameOf(project.items.get(a)!.category_id)).toBe('Men > Sneakers');
  });

  it('excludes and restores; excluded items leave the counts', () => {
    const ids = idsForPaths(project, ['Men/Sneakers/2.jpg', 'Men/Sneakers/3.jpg']);
    expect(excludeItems(project, ids).changed).toBe(2);
    expect(projectStats(project)).toMatchObject({ active: 6, excluded: 2 });
    expect(excludeItems(project, ids).changed).toBe(0); // already excluded
    expect(restoreItems(project, ids).changed).toBe(2);
    expect(projectStats(project)).toMatchObject({ active: 8, excluded: 0 });
  });

  it('keeps a full history per item, marking undone changes', () => {
    const [id] = idsForPaths(project, ['Women/Sneakers/5.jpg']) as [number];
    moveItems(project, [id], 'Men > Sneakers');
    moveItems(project, [id], 'Kids');
    undo(project);
    const h = itemHistory(project, 'Women/Sneakers/5.jpg');
    expect(h).toMatchObject({ originalCategory: 'Women > Sneakers', category: 'Men > Sneakers', status: 'active' });
    expect(h.events.map((e) => [e.from, e.to, e.inEffect])).toEqual([
      ['Women > Sneakers', 'Men > Sneakers', true],
      ['Men > Sneakers', 'Kids', false],
    ]);
  });

  it('moves 20,000 selected ids in one transaction; unknown ids are an error that changes nothing', () => {
    const ids = idsForPaths(project, ['Men/Sneakers/0.jpg']);
    const many = Array.from({ length: 20_000 }, (_, i) => (i === 0 ? ids[0]! : 1_000_000 + i));
    expect(() => moveItems(project, many, 'Bags')).toThrow(/^no item with id 1000001, 1000002, 1000003, 1000004, 1000005 and 19994 more in this project/);
    expect(() => excludeItems(project, [999])).toThrow(/no item with id 999/);
    expect(project.categories.findId('Bags')).toBeUndefined();
    expect(undo(project)).toBeUndefined(); // no batch was recorded
    const all = idsForPaths(project, ['Men/Sneakers/0.jpg', 'Men/Sneakers/1.jpg', 'Men/Sneakers/2.jpg']);
    const repeated = Array.from({ length: 20_000 }, (_, i) => all[i % 3]!);
    expect(moveItems(project, repeated, 'Bags')).toMatchObject({ changed: 3, description: 'move 3 items to Bags (new category)' });
  });

  it('records no batch for a change that changes nothing, and keeps the redo stack', () => {
    const [a, b] = idsForPaths(project, ['Men/Sneakers/0.jpg', 'Men/Sneakers/1.jpg']) as [number, number];
    const first = moveItems(project, [a], 'Kids');
    undo(project);
    expect(moveItems(project, [a, b], 'Men > Sneakers')).toEqual({ batch: null, changed: 0, description: 'nothing to move: all 2 items are already in Men > Sneakers' });
    expect(restoreItems(project, [a, b])).toEqual({ batch: null, changed: 0, description: 'nothing to restore: none of the 2 items is excluded' });
    expect(redo(project)).toMatchObject({ batch: first.batch }); // the redo stack survived the no-ops
    // a partial change counts what changed and says what did not
    expect(moveItems(project, [a, b], 'Kids')).toMatchObject({ changed: 1, description: 'move 1 item to Kids (1 already there)' });
    expect(excludeItems(project, [a, b])).toMatchObject({ changed: 2, description: 'exclude 2 items' });
    expect(excludeItems(project, [a, idsForPaths(project, ['Men/Sneakers/2.jpg'])[0]!])).toMatchObject({ changed: 1, description: 'exclude 1 item (1 not active, left as they are)' });
  });

  it('names unknown paths in a clear error', () => {
    expect(() => idsForPaths(project, ['nope.jpg', 'Men/Sneakers/0.jpg'])).toThrow(/not in this project: "nope.jpg"/);
  });

  it('works the same through the CLI', () => {
    project.close();
    const p = ['--project', projectDir];
    expect(shiwake(['relabel', ...p, '--to', 'Kids > Shoes', 'Men/Sneakers/0.jpg', 'Men/Sneakers/1.jpg']).stdout).toMatch(/move 2 items to Kids > Shoes \(new category\)/);
    expect(shiwake(['exclude', ...p, 'Women/Sneakers/4.jpg']).code).toBe(0);
    expect(shiwake(['undo', ...p]).stdout).toMatch(/Undone: exclude 1 item/);
    expect(shiwake(['redo', ...p]).stdout).toMatch(/Redone: exclude 1 item/);
    const stats = shiwakeJson(['stats', ...p]);
    expect(stats).toMatchObject({ items: 8, active: 7, excluded: 1 });
    expect(stats.categories).toContainEqual({ name: 'Kids > Shoes', count: 2 });
    const h = shiwakeJson(['history', ...p, 'Men/Sneakers/0.jpg']);
    expect(h.events).toHaveLength(1);
    const bad = shiwake(['relabel', ...p, '--to', 'X', 'no/such.jpg']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^shiwake: error: not in this project: "no\/such.jpg"/);
    const same = shiwake(['relabel', ...p, '--to', 'Kids > Shoes', 'Men/Sneakers/0.jpg']);
    expect(same.stdout).toMatch(/^Nothing changed: nothing to move: the item is already in Kids > Shoes\.$/m);
    const usage = shiwake(['relabel', ...p, 'Men/Sneakers/0.jpg']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--to is required/);
    project = Project.open(projectDir);
  }, 300_000); // a dozen real CLI runs: slow on a loaded machine
});

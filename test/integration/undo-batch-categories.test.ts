import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteCategory, renameCategory, visibleCategories } from '../../src-main/engine/dataset/categoryEdits.js';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { idsForPaths, itemHistory, moveItems, redo, undo, undoBatch } from '../../src-main/engine/dataset/labels.js';
import { projectStats } from '../../src-main/engine/dataset/stats.js';
import { Project } from '../../src-main/engine/project.js';
import { shiwake } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
let n = 0;
let project: Project;

beforeAll(async () => {
  for (let i = 0; i < 6; i++) await writeImage(path.join(root, i < 3 ? 'Men/Sneakers' : 'Women/Boots', `${i}.jpg`), { seed: i });
});
beforeEach(async () => {
  project?.close();
  project = Project.openOrCreate(path.join(tmp, `project-${n++}`), root);
  await importDataset(project);
});

const categoryOf = (p: string) => project.categories.nameOf(project.items.get(idsForPaths(project, [p])[0]!)!.category_id);
const tree = () => visibleCategories(project).map((c) => `${c.name}:${c.count}`);

describe('undo of a named batch', () => {
  it('undoes its own batch, not the newest (the toast of an earlier move)', () => {
    const a = moveItems(project, idsForPaths(project, ['Men/Sneakers/0.jpg', 'Men/Sneakers/1.jpg']), 'A');
    const b = moveItems(project, idsForPaths(project, ['Women/Boots/3.jpg']), 'B');
    expect(undoBatch(project, a.batch!)).toMatchObject({ undone: true, batch: a.batch, changed: 2, later: [] });
    expect(categoryOf('Men/Sneakers/0.jpg')).toBe('Men > Sneakers');
    expect(categoryOf('Women/Boots/3.jpg')).toBe('B'); // the newer move stays
    expect(() => undoBatch(project, a.batch!)).toThrow(/is already undone/);
    expect(undo(project)).toMatchObject({ batch: b.batch }); // plain undo still takes the newest
    // redo in the order of the undos, newest undo first
    expect(redo(project)).toMatchObject({ batch: b.batch });
    expect(redo(project)).toMatchObject({ batch: a.batch });
    expect(categoryOf('Men/Sneakers/0.jpg')).toBe('A');
  });

  it('refuses when later batches changed the same items, naming them, and undoes them too when asked', () => {
    const [x, y] = idsForPaths(project, ['Men/Sneakers/0.jpg', 'Men/Sneakers/1.jpg']) as [number, number];
    const first = moveItems(project, [x, y], 'A');
    const second = moveItems(project, [y], 'B');
    const third = moveItems(project, [y], 'C'); // touches only what the second touched
    const other = moveItems(project, idsForPaths(project, ['Women/Boots/4.jpg']), 'D');
    const refused = undoBatch(project, first.batch!);
    expect(refused).toMatchObject({ undone: false, changed: 0, later: [{ batch: second.batch }, { batch: third.batch }] });
    expect(refused.description).toMatch(/not undone: later changes to the same items are still in effect \(batch \d+ "move 1 item to B \(new category\)", batch \d+ "move 1 item to C/);
    expect(categoryOf('Men/Sneakers/1.jpg')).toBe('C'); // nothing changed

    expect(undoBatch(project, first.batch!, true)).toMatchObject({ undone: true, changed: 4, description: 'move 2 items to A (new category) and 2 later changes' });
    expect(categoryOf('Men/Sneakers/0.jpg')).toBe('Men > Sneakers');
    expect(categoryOf('Men/Sneakers/1.jpg')).toBe('Men > Sneakers');
    expect(categoryOf('Women/Boots/4.jpg')).toBe('D');
    expect(itemHistory(project, 'Men/Sneakers/1.jpg').events.every((e) => !e.inEffect)).toBe(true);
    expect(undo(project)).toMatchObject({ batch: other.batch });
    expect(() => undoBatch(project, 9999)).toThrow(/no change with batch number 9999/);
  });

  it('works from the CLI: undo --batch N, refused without --with-later', () => {
    const dir = project.dir;
    const first = moveItems(project, idsForPaths(project, ['Men/Sneakers/0.jpg']), 'A');
    moveItems(project, idsForPaths(project, ['Men/Sneakers/0.jpg']), 'B');
    project.close();
    const refused = shiwake(['undo', '--project', dir, '--batch', String(first.batch)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^shiwake: error: "move 1 item to A \(new category\)" was not undone: .*batch \d+ "move 1 item to B.*--with-later\)\n$/);
    const both = shiwake(['undo', '--project', dir, '--batch', String(first.batch), '--with-later']);
    expect(both.stdout).toMatch(/^Undone: move 1 item to A \(new category\) and 1 later change \(2 changed/);
    project = Project.open(dir);
    expect(categoryOf('Men/Sneakers/0.jpg')).toBe('Men > Sneakers');
  });
});

describe('empty categories, rename, delete', () => {
  it('leaves categories emptied by a move or an undo out of the tree, and brings them back', () => {
    const ids = idsForPaths(project, ['Women/Boots/3.jpg', 'Women/Boots/4.jpg', 'Women/Boots/5.jpg']);
    moveItems(project, ids, 'Kids > Boots');
    expect(tree()).toEqual(['Kids:0', 'Kids > Boots:3', 'Men:0', 'Men > Sneakers:3']); // Women is empty
    undo(project);
    expect(tree()).toEqual(['Men:0', 'Men > Sneakers:3', 'Women:0', 'Women > Boots:3']); // Kids is empty
    // to the person, a hidden empty category is new again
    expect(moveItems(project, ids.slice(0, 1), 'Kids > Boots').description).toBe('move 1 item to Kids > Boots (new category)');
    undo(project);
    expect(moveItems(project, [], 'Kids')).toEqual({ batch: null, changed: 0, description: 'nothing to move: no items selected' });
    moveItems(project, ids, 'Men > Sneakers');
    expect(tree()).toEqual(['Men:0', 'Men > Sneakers:6']);
  });

  it('renames a category with its sub-categories as one undoable batch', () => {
    moveItems(project, idsForPaths(project, ['Men/Sneakers/0.jpg']), 'Men');
    const r = renameCategory(project, 'Men', 'Gents');
    expect(r).toMatchObject({ changed: 3, description: 'rename category Men to Gents and its 1 sub-category (3 items)' });
    expect(tree()).toEqual(['Gents:1', 'Gents > Sneakers:2', 'Women:0', 'Women > Boots:3']);
    expect(itemHistory(project, 'Men/Sneakers/1.jpg').events.at(-1)).toMatchObject({ from: 'Men > Sneakers', to: 'Gents > Sneakers', inEffect: true });
    expect(() => renameCategory(project, 'Women', 'Gents')).toThrow(/"Gents" already holds 3 items; merging categories is/);
    expect(() => renameCategory(project, 'Women', 'Women > Old')).toThrow(/inside the category itself/);
    expect(() => renameCategory(project, 'Nope', 'X')).toThrow(/no category "Nope" holding items/);
    undo(project);
    expect(tree()).toEqual(['Men:1', 'Men > Sneakers:2', 'Women:0', 'Women > Boots:3']);
    redo(project);
    expect(projectStats(project).categories.map((c) => c.name)).toEqual(['Gents', 'Gents > Sneakers', 'Women > Boots']);
  });

  it('deletes an empty category, refuses one that holds items, and undo recreates a deleted one', () => {
    const ids = idsForPaths(project, ['Women/Boots/3.jpg']);
    moveItems(project, ids, 'Tmp > Sub');
    expect(() => deleteCategory(project, 'Tmp')).toThrow(/^"Tmp" is not empty: it holds 1 active item; move them/);
    const back = moveItems(project, ids, 'Women > Boots');
    expect(deleteCategory(project, 'Tmp')).toEqual({ deleted: 2, description: 'deleted category Tmp and its 1 sub-category' });
    expect(project.categories.findId('Tmp > Sub')).toBeUndefined();
    expect(() => deleteCategory(project, 'Tmp')).toThrow(/no category "Tmp"/);
    undo(project); // undoes the move back: the item returns to a recreated Tmp > Sub
    expect(back.batch).toBeGreaterThan(0);
    expect(categoryOf('Women/Boots/3.jpg')).toBe('Tmp > Sub');
    expect(tree()).toContain('Tmp > Sub:1');
    // an imported category emptied by moves is kept (history names it) but is gone from view
    moveItems(project, idsForPaths(project, ['Men/Sneakers/0.jpg', 'Men/Sneakers/1.jpg', 'Men/Sneakers/2.jpg']), 'Shoes');
    expect(deleteCategory(project, 'Men').description).toMatch(/kept in the database only because item history refers to them/);
    expect(tree().some((c) => c.startsWith('Men'))).toBe(false);
  });

  it('works from the CLI', () => {
    const dir = project.dir;
    project.close();
    expect(shiwake(['rename-category', '--project', dir, 'Women > Boots', 'Women > Shoes']).stdout).toMatch(/^Done: rename category Women > Boots to Women > Shoes \(3 items\) \(3 changed, batch \d+\)/);
    const refused = shiwake(['delete-category', '--project', dir, 'Women']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^shiwake: error: "Women" is not empty: it holds 3 active items/);
    // the renamed-away category is empty: merging it moves nothing and records nothing
    expect(shiwake(['balance', '--project', dir, '--merge', 'Women > Boots=Men', '--apply']).stdout).toMatch(/^Nothing merged: nothing to move: no items selected\.$/m);
    project = Project.open(dir);
    expect(categoryOf('Women/Boots/3.jpg')).toBe('Women > Shoes');
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CategoryNode, Events } from '../../src-main/shared/contract.js';
import type { ImportProblems } from '../../src-main/shared/problems.js';
import { Studio } from '../../src-main/engine/studio/studio.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

describe('import problems in the studio', () => {
  it('lists skipped files and broken items with reasons, filtered by kind and text, and counts broken items in the tree', async () => {
    process.env.SHIWAKE_HOME = path.join(tmp, 'home');
    const root = path.join(tmp, 'data');
    await writeImage(path.join(root, 'Shoes/ok.jpg'));
    fs.writeFileSync(path.join(root, 'Shoes/empty.jpg'), '');
    fs.writeFileSync(path.join(root, 'Shoes/notes.txt'), 'not a photo');
    await writeImage(path.join(root, 'at-the-top.jpg'));
    const done: Events['onJobDone'][] = [];
    const studio = new Studio({ mode: 'browser', version: 'test' }, (event, payload) => {
      if (event === 'onJobDone') done.push(payload as Events['onJobDone']);
    });
    const opened = await studio.handle('project.openDataset', { datasetRoot: root, projectDir: path.join(tmp, 'project') });
    expect(opened.ok).toBe(true);
    while (!done.some((d) => d.kind === 'import')) await new Promise((r) => setTimeout(r, 20));

    const all = (await studio.handle('import.problems', {})) as { ok: true; value: ImportProblems };
    expect(all.value).toMatchObject({ skipped: 2, broken: 1, more: 0 });
    expect(all.value.rows).toEqual([
      { kind: 'skipped', path: 'Shoes/notes.txt', reason: expect.stringMatching(/^not an image/), itemId: null },
      { kind: 'skipped', path: 'at-the-top.jpg', reason: expect.stringMatching(/outside any category folder/), itemId: null },
      { kind: 'broken', path: 'Shoes/empty.jpg', reason: 'empty file (0 bytes)', itemId: expect.any(Number) },
    ]);
    const broken = (await studio.handle('import.problems', { kind: 'broken' })) as { ok: true; value: ImportProblems };
    expect(broken.value.rows.map((r) => r.path)).toEqual(['Shoes/empty.jpg']);
    const search = (await studio.handle('import.problems', { search: 'CATEGORY FOLDER', limit: 1 })) as { ok: true; value: ImportProblems };
    expect(search.value.rows.map((r) => r.path)).toEqual(['at-the-top.jpg']);
    expect((await studio.handle('import.problems', { job: 999 })).ok).toBe(false);

    const tree = (await studio.handle('categories.tree', {})) as { ok: true; value: CategoryNode[] };
    expect(tree.value).toEqual([expect.objectContaining({ name: 'Shoes', count: 1, broken: 1 })]);
    await studio.closeProject();
  });
});

/**
 * The selection an export or a training run reads (engine/dataset/selection.ts): reading it
 * never writes; the split it needs is its own step, which places only the items without one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { selectForExport, splitUnsplitItems } from '../../src-main/engine/dataset/selection.js';
import { splitDataset } from '../../src-main/engine/dataset/split.js';
import { Project } from '../../src-main/engine/project.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

describe('export selection', () => {
  it('refuses to read an unsplit project instead of splitting behind the caller; splitting is an explicit step', async () => {
    const root = path.join(tmp, 'data');
    for (let i = 0; i < 10; i++) await writeImage(path.join(root, 'Cats', `c${i}.png`), { format: 'png', seed: i, width: 10, height: 10 });
    for (let i = 0; i < 10; i++) await writeImage(path.join(root, 'Dogs', `d${i}.png`), { format: 'png', seed: 50 + i, width: 10, height: 10 });
    const project = Project.openOrCreate(path.join(tmp, 'project'), root);
    await importDataset(project);
    const splits = () => project.db.prepare("SELECT split, COUNT(*) AS n FROM items GROUP BY split ORDER BY split").all();

    expect(() => selectForExport(project)).toThrow(/20 active items have no train\/validation split yet: split first/);
    expect(splits()).toEqual([{ split: null, n: 20 }]); // the read wrote nothing

    await splitDataset(project, { validation: 0.2, seed: 7 });
    const before = project.db.prepare('SELECT id, split FROM items ORDER BY id').all();
    expect(await splitUnsplitItems(project)).toBe(0); // nothing to do, nothing written
    expect(project.db.prepare('SELECT id, split FROM items ORDER BY id').all()).toEqual(before);

    // new files after the split: only they are placed, with the stored settings
    for (let i = 10; i < 15; i++) await writeImage(path.join(root, 'Cats', `c${i}.png`), { format: 'png', seed: 100 + i, width: 10, height: 10 });
    await importDataset(project);
    expect(() => selectForExport(project)).toThrow(/^5 active items have no/);
    expect(await splitUnsplitItems(project)).toBe(5);
    const after = new Map((project.db.prepare('SELECT id, split FROM items ORDER BY id').all() as { id: number; split: string }[]).map((r) => [r.id, r.split]));
    for (const r of before as { id: number; split: string }[]) expect(after.get(r.id)).toBe(r.split);

    const selection = selectForExport(project);
    expect(selection.labels).toEqual(['Cats', 'Dogs']);
    expect(selection.records.train.length + selection.records.validation.length).toBe(25);
    expect(selection.records.validation.every((r) => r.split === 'validation')).toBe(true);
    project.close();
    fs.rmSync(root, { recursive: true });
  });
});

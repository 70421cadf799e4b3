/** Where a project lives: the default is shown before anything is made, and a folder the user chooses is used (or refused with the reason). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Studio } from '../../src-main/engine/studio/studio.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
process.env.SHIWAKE_HOME = path.join(tmp, 'home');
const studio = new Studio({ mode: 'browser', version: 'test' }, () => {});
afterAll(() => studio.closeProject());

describe('project folder', () => {
  it('tells the default folder, and opens a dataset into a folder the user chose', async () => {
    const root = path.join(tmp, 'photos');
    await writeImage(path.join(root, 'Cats/a.jpg'));
    const dflt = await studio.handle('project.defaultDir', { datasetRoot: root });
    expect(dflt).toMatchObject({ ok: true, value: expect.stringMatching(new RegExp(`^${path.join(tmp, 'home', 'projects', 'photos-')}[0-9a-f]{8}$`)) });
    expect(fs.existsSync(path.join(tmp, 'home', 'projects'))).toBe(false); // asking makes nothing

    const cluttered = path.join(tmp, 'documents');
    fs.mkdirSync(cluttered);
    fs.writeFileSync(path.join(cluttered, 'taxes.pdf'), 'x');
    const refused = await studio.handle('project.openDataset', { datasetRoot: root, projectDir: cluttered });
    expect(refused).toEqual({ ok: false, error: `${cluttered} is not empty and not a Shiwake project: choose an empty or new folder (Shiwake keeps its database, thumbnails and runs there)` });
    expect(fs.readdirSync(cluttered)).toEqual(['taxes.pdf']);

    const chosen = path.join(tmp, 'my projects', 'photos');
    const opened = await studio.handle('project.openDataset', { datasetRoot: root, projectDir: chosen });
    expect(opened).toMatchObject({ ok: true, value: { project: { dir: chosen, datasetRoot: root } } });
    expect(fs.existsSync(path.join(chosen, 'shiwake.db'))).toBe(true);
    const recent = await studio.handle('project.recent', {});
    expect(recent).toMatchObject({ ok: true, value: [{ dir: chosen }] });
  });

  it('reads ~ as the home folder', async () => {
    const { checkProjectFolder } = await import('../../src-main/engine/studio/home.js');
    expect(checkProjectFolder('~/shiwake-projects/x', '/data')).toBe(path.join(os.homedir(), 'shiwake-projects/x'));
  });
});

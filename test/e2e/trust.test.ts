/**
 * Studio trust checks in Chromium (issue 9, items 20, 23, 24, 27): pictures after switching
 * projects, Ctrl+O with a project open, choosing and seeing where a project lives, counts,
 * the command palette and `?` overlay from the one command table, and a lost server.
 * The server runs in this process, so the test can stop it and start it again.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { idsForPaths, moveItems } from '../../src-main/engine/dataset/labels.js';
import { Project } from '../../src-main/engine/project.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { REPO } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openPage } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const dataA = path.join(tmp, 'dataA');
const dataB = path.join(tmp, 'dataB');
const projectA = path.join(tmp, 'projectA');
const chosenB = path.join(tmp, 'chosen', 'projectB');
let server: RunningServer;
let browser: Browser;
let page: Page;

const serve = (port = 0, token?: string) => startServer({ port, token, rendererDir: path.join(REPO, 'out/renderer'), projectDir: projectA, version: 'test' });

/** The shape of the first grid picture: landscape in A, portrait in B. */
const firstThumb = () =>
  page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('[data-testid="cell"] img');
    return img && img.complete && img.naturalWidth > 0 ? { src: img.getAttribute('src')!, wide: img.naturalWidth > img.naturalHeight } : null;
  }).then((h) => h.jsonValue() as Promise<{ src: string; wide: boolean }>);

describe.runIf(haveChromium)('studio trust in Chromium', () => {
  beforeAll(async () => {
    process.env.SHIWAKE_HOME = path.join(tmp, 'home');
    await writeImage(path.join(dataA, 'Cats/a.png'), { format: 'png', width: 60, height: 20, seed: 1 });
    for (let i = 0; i < 2; i++) await writeImage(path.join(dataB, `Dogs/d${i}.png`), { format: 'png', width: 20, height: 60, seed: 10 + i });
    const a = Project.openOrCreate(projectA, dataA);
    await importDataset(a);
    a.close();
    server = await serve();
    ({ browser, page } = await openPage());
    await page.goto(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('counts one item as "1 item"', async () => {
    await page.waitForFunction(() => document.querySelector('[data-testid="shown-count"]')?.textContent === '1 item');
    expect((await firstThumb()).wide).toBe(true);
  });

  it('opens another folder with Ctrl+O while a project is open, into a project folder the user chose, and shows its own pictures', async () => {
    const before = await firstThumb();
    await page.keyboard.press('Control+o');
    await page.getByTestId('picker-path').fill(dataB);
    await page.getByTestId('picker-path').press('Enter');
    // where the project would live by default is shown before anything is made
    await page.waitForFunction((home) => (document.querySelector<HTMLInputElement>('[data-testid="picker-project"]')?.placeholder ?? '').startsWith(home), path.join(tmp, 'home', 'projects', 'dataB-'));
    await page.getByTestId('picker-project').fill(chosenB);
    await page.getByTestId('picker-open').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="project-name"]')?.textContent === 'dataB');
    await page.waitForFunction(() => document.querySelector('[data-testid="shown-count"]')?.textContent === '2 items');
    const after = await firstThumb();
    expect(after.src).not.toBe(before.src);
    expect(after.wide).toBe(false); // B's own picture, not A's item with the same id from the cache
    expect(fs.existsSync(path.join(chosenB, 'shiwake.db'))).toBe(true);
    expect(await page.getByTestId('project-name').getAttribute('title')).toContain(`project folder: ${chosenB}`);
  });

  it('lists every command with its keys in the ? overlay, and runs one from the palette', async () => {
    await page.locator('body').click({ position: { x: 5, y: 790 } });
    await page.keyboard.press('?');
    const help = page.getByTestId('help-overlay');
    await help.waitFor();
    expect(await help.locator('tr[data-command="openFolder"]').textContent()).toContain('Ctrl/Cmd+O');
    expect(await help.locator('tr[data-command="move"]').textContent()).toMatch(/M\s+or\s+Ctrl\/Cmd\+K/);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    await page.keyboard.press('Control+Shift+P');
    await page.getByTestId('command-input').fill('close proj');
    await page.keyboard.press('Enter');
    // back on the start screen, where each recent project says where it lives
    await page.getByTestId('open-folder').waitFor();
    // the recent list arrives after the start screen shows: wait for it rather than read it at once
    await expect.poll(() => page.getByTestId('recent-project-dir').allTextContents(), { timeout: 30_000 }).toEqual(expect.arrayContaining([`project: ${chosenB}`, `project: ${projectA}`]));
    await page.getByTestId('recent-project').filter({ hasText: 'dataA' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="project-name"]')?.textContent === 'dataA');
  });

  it('says at once when the server is gone, reconnects when it is back, and shows what changed meanwhile', async () => {
    await page.locator('[data-testid="tree-row"][data-name="Cats"]').waitFor();
    const { port, token } = server;
    await server.close();
    await page.getByTestId('connection-banner').waitFor(); // no click needed
    const a = Project.open(projectA);
    moveItems(a, idsForPaths(a, ['Cats/a.png']), 'Birds');
    a.close();
    server = await serve(port, token);
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="tree-row"][data-name="Birds"]')?.getAttribute('data-count') === '1');
  });
});

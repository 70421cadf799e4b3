/**
 * The import problems panel in Chromium: the list outlives the import's toast, names every
 * skipped file and broken image with its reason, filters, and the tree counts broken items.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openStudio, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const projectDir = path.join(tmp, 'project');
let session: StudioSession | undefined;
let page: Page;

describe.runIf(haveChromium)('import problems panel', () => {
  beforeAll(async () => {
    const root = path.join(tmp, 'data');
    for (let i = 0; i < 3; i++) await writeImage(path.join(root, 'Bags', `b${i}.jpg`), { seed: i });
    fs.writeFileSync(path.join(root, 'Bags/cut-off.jpg'), fs.readFileSync(path.join(root, 'Bags/b0.jpg')).subarray(0, 300));
    fs.writeFileSync(path.join(root, 'Bags/notes.txt'), 'a text file, not a photo');
    shiwakeJson(['import', root, '--project', projectDir]);
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'));
    page = session.page;
  });

  afterAll(() => session?.close());

  it('lists skipped and broken files with reasons, filters them, and marks broken items in the tree', async () => {
    const link = page.getByTestId('problems-link');
    await link.waitFor();
    expect(await link.textContent()).toBe('2 import problems');
    await expect.poll(() => page.locator('[data-testid="tree-row"][data-name="Bags"] [data-testid="tree-broken"]').textContent()).toBe('⚠1');

    await link.click();
    const rows = page.getByTestId('problem-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.allTextContents()).toEqual([
      expect.stringMatching(/^skipped Bags\/notes\.txt\s*not an image: .*it looks like text/),
      expect.stringMatching(/^broken Bags\/cut-off\.jpg\s*truncated or corrupt JPEG/),
    ]);
    await page.getByTestId('problems-filter').fill('TEXT');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByTestId('problems-filter').fill('');
    await page.getByTestId('problems-kind').selectOption('broken');
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringMatching(/^broken Bags\/cut-off\.jpg/)]);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('problems-panel').count()).toBe(0);
  });
});

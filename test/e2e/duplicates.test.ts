/**
 * The Duplicates view in Chromium: a group of identical files in both train and validation is
 * shown with a leak badge; "Put each group into one split" clears the leak; "Keep one" excludes
 * the other copy and its toast's Undo brings it back.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idsForPaths } from '../../src-main/engine/dataset/labels.js';
import { Project } from '../../src-main/engine/project.js';
import { shiwakeJson } from '../fixtures/cli.js';
import { imageBytes, writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openStudio, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const projectDir = path.join(tmp, 'project');
let session: StudioSession | undefined;
let page: Page;

describe.runIf(haveChromium)('duplicates view', () => {
  beforeAll(async () => {
    const root = path.join(tmp, 'data');
    for (let i = 0; i < 3; i++) await writeImage(path.join(root, 'Bags', `b${i}.jpg`), { seed: i });
    const same = await imageBytes({ seed: 99 });
    fs.writeFileSync(path.join(root, 'Bags/copy-a.jpg'), same);
    fs.writeFileSync(path.join(root, 'Bags/copy-b.jpg'), same);
    shiwakeJson(['import', root, '--project', projectDir]);
    // a leak: the two copies on both sides of the split
    const p = Project.open(projectDir);
    p.plan.setSplits(new Map([[idsForPaths(p, ['Bags/copy-a.jpg'])[0]!, 'train'], [idsForPaths(p, ['Bags/copy-b.jpg'])[0]!, 'validation']]));
    p.close();
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'));
    page = session.page;
  });

  afterAll(() => session?.close());

  it('shows a leak, puts the group into one split, keeps one and undoes it', async () => {
    await page.getByTestId('tab-duplicates').click();
    const groups = page.getByTestId('dup-group');
    await expect.poll(() => groups.count()).toBe(1);
    expect(await page.getByTestId('dup-leak').count()).toBe(1);
    expect(await groups.first().textContent()).toMatch(/Bags\/copy-a\.jpg.*train.*Bags\/copy-b\.jpg.*validation/);
    await expect.poll(() => groups.first().locator('img').count()).toBe(2);

    await page.getByTestId('dup-leaks-only').check();
    await expect.poll(() => page.getByTestId('dup-summary').textContent()).toMatch(/1 group \(leaks\)/);
    await page.getByTestId('dup-one-split').click();
    await expect.poll(() => page.getByTestId('dup-none').textContent()).toMatch(/No leaks/);
    await page.getByTestId('dup-leaks-only').uncheck();
    // the group is back (no longer a leak) once the unfiltered page has come
    await expect.poll(() => groups.count()).toBe(1);
    expect(await page.getByTestId('dup-leak').count()).toBe(0);

    // keep the second copy: the first is excluded, and the toast's Undo restores it
    await page.getByTestId('dup-keep-choice').nth(1).check();
    await page.getByTestId('dup-keep-one').click();
    await expect.poll(() => page.getByTestId('dup-none').count()).toBe(1);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => groups.count()).toBe(1);
  });
});

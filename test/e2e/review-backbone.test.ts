/**
 * Review and Duplicates with a pretrained backbone in Chromium, without any trained run: type
 * a backbone folder in Review, find the likely mislabels (the flipped item comes first), then
 * type another backbone (no fixed input size, so with an image size) in Duplicates and get
 * near-duplicate groups from it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackbones } from '../fixtures/backbones.js';
import { REPO, shiwakeJson } from '../fixtures/cli.js';
import { noisySolid } from '../fixtures/images.js';
import { writeColourFolders } from '../fixtures/flipped.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openStudio, toastSaying, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
let session: StudioSession | undefined;
let page: Page;
let backbones: { fixed: string; anySize: string };

const COLOURS: Record<string, [number, number, number]> = { Red: [220, 20, 30], Green: [30, 200, 40], Blue: [30, 40, 220], Yellow: [230, 220, 30] };

describe.runIf(haveChromium)('review and duplicates with a pretrained backbone', () => {
  beforeAll(async () => {
    backbones = await writeBackbones(path.join(tmp, 'models'));
    await writeColourFolders(root, COLOURS, 10);
    // one label wrong on purpose: a blue picture in Green
    fs.writeFileSync(path.join(root, 'Green', 'green-really-blue.png'), await noisySolid(COLOURS.Blue!, 42));
    shiwakeJson(['import', root, '--project', projectDir]);
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'), { viewport: { width: 1400, height: 900 } });
    page = session.page;
    await page.getByTestId('tab-review').waitFor();
  });

  afterAll(() => session?.close());

  it('reviews with a backbone folder typed in Review, and lists it as a source afterwards', async () => {
    await page.getByTestId('tab-review').click();
    const view = page.getByTestId('review-view');
    await view.getByTestId('review-source').selectOption('new-backbone');
    await view.getByTestId('backbone-location').fill(backbones.fixed);
    await view.getByTestId('review-start').click();
    await toastSaying(page, 'with the backbone');
    // the job embeds 41 items and scores them: a minute on a loaded two-core machine
    const current = view.getByTestId('review-item');
    await current.waitFor({ timeout: 180_000 });
    expect(await current.getAttribute('data-path')).toBe('Green/green-really-blue.png');
    expect(await current.getAttribute('data-suggested')).toBe('Blue');
    await expect.poll(() => view.getByTestId('review-source').locator('option:checked').textContent()).toBe('backbone small-cnn-16');
    fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(REPO, 'test-artifacts/studio-review-backbone.png') });
  }, 240_000);

  it('finds near duplicates with a backbone typed in Duplicates (an image size given)', async () => {
    await page.getByTestId('tab-duplicates').click();
    const view = page.getByTestId('duplicates-view');
    // the backbone reviewed above is offered; a new one is typed
    await expect.poll(() => view.getByTestId('dup-run').locator('option', { hasText: 'backbone small-cnn-16' }).count()).toBe(1); // the runs list loads after the tab shows
    await view.getByTestId('dup-run').selectOption('new-backbone');
    await view.getByTestId('backbone-location').fill(backbones.anySize);
    await view.getByTestId('backbone-image-size').fill('16');
    await view.getByTestId('dup-backbone-search').click();
    // pictures of one colour are near duplicates of each other at 0.97
    await expect.poll(() => view.getByTestId('dup-group').count(), { timeout: 180_000 }).toBeGreaterThan(0);
    expect(await view.getByTestId('dup-summary').textContent()).not.toMatch(/identical files only/);
    expect(await view.getByTestId('dup-error').count()).toBe(0);
    await page.screenshot({ path: path.join(REPO, 'test-artifacts/studio-duplicates-backbone.png') });
  }, 240_000);
});

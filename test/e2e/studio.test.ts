/**
 * The studio end to end, as a person uses it: `shiwake serve` on a generated dataset, driven
 * in Debian's Chromium by playwright-core, keyboard first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openStudio, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const projectDir = path.join(tmp, 'project');
let session: StudioSession | undefined;
let page: Page;

const treeCount = (name: string) => page.locator(`[data-testid="tree-row"][data-name="${name}"]`).getAttribute('data-count').then(Number);

describe.runIf(haveChromium)('studio in Chromium', () => {
  beforeAll(async () => {
    const root = path.join(tmp, 'data');
    for (let i = 0; i < 10; i++) await writeImage(path.join(root, 'Shoes/Sneakers', `s${i}.jpg`), { seed: i, width: 80, height: 60 });
    for (let i = 0; i < 6; i++) await writeImage(path.join(root, 'Bags', `b${i}.png`), { format: 'png', seed: 20 + i });
    fs.writeFileSync(path.join(root, 'Bags/cut-off.jpg'), fs.readFileSync(path.join(root, 'Shoes/Sneakers/s0.jpg')).subarray(0, 300));
    shiwakeJson(['import', root, '--project', projectDir]);
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'));
    page = session.page;
  });

  afterAll(() => session?.close());

  it('shows the grid with real thumbnails and the tree with counts', async () => {
    await page.locator('[data-testid="cell"] img').first().waitFor();
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>('[data-testid="cell"] img')];
      return imgs.length >= 10 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    });
    await expect(page.getByTestId('shown-count').textContent()).resolves.toBe('16 items');
    expect(await treeCount('Shoes > Sneakers')).toBe(10);
    expect(await treeCount('Bags')).toBe(6);
  });

  it('moves three items with the keyboard through the palette, then undoes one action', async () => {
    await page.locator('[data-testid="tree-row"][data-name="Shoes > Sneakers"]').click();
    await page.getByTestId('cell').first().click();
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.waitForFunction(() => document.querySelector('[data-testid="selected-count"]')?.textContent === '3 selected');
    await page.keyboard.press('m');
    await page.getByTestId('palette-input').fill('bag');
    await page.keyboard.press('Enter');
    await page.getByTestId('toast').filter({ hasText: 'move 3 items to Bags' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="tree-row"][data-name="Bags"]')?.getAttribute('data-count') === '9');
    expect(await treeCount('Shoes > Sneakers')).toBe(7);

    await page.getByTestId('cell').first().click();
    await page.keyboard.press('x');
    await page.getByTestId('toast').filter({ hasText: 'exclude 1 item' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="tree-row"][data-name="Shoes > Sneakers"]')?.getAttribute('data-count') === '6');
    await page.keyboard.press('Control+z');
    await page.getByTestId('toast').filter({ hasText: 'Undone: exclude 1 item' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="tree-row"][data-name="Shoes > Sneakers"]')?.getAttribute('data-count') === '7');

    const stats = shiwakeJson(['stats', '--project', projectDir]);
    const inDb = Object.fromEntries(stats.categories.map((c: { name: string; count: number }) => [c.name, c.count]));
    expect(inDb).toEqual({ Bags: 9, 'Shoes > Sneakers': 7 });
    expect({ Bags: await treeCount('Bags'), 'Shoes > Sneakers': await treeCount('Shoes > Sneakers') }).toEqual(inDb);
  });

  it('shows a broken image as a placeholder with its reason', async () => {
    await page.locator('.tree-row').first().click(); // All categories
    await page.getByTestId('status-filter').selectOption('broken');
    const placeholder = page.getByTestId('broken-placeholder').first();
    await placeholder.waitFor();
    expect(await placeholder.textContent()).toMatch(/truncated or corrupt JPEG/);
    await page.getByTestId('status-filter').selectOption('active');
    await page.locator('[data-testid="cell"] img').first().waitFor();
    fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(REPO, 'test-artifacts/studio-main-view.png') });
  });

  it('splits, applies a balance plan and exports TFRecord from the studio', async () => {
    await page.getByTestId('tab-balance').click();
    await page.getByTestId('distribution-chart').waitFor();
    await page.getByTestId('split-button').click();
    await page.getByTestId('toast').filter({ hasText: 'Split train/validation' }).waitFor();
    await page.getByTestId('max-input').fill('5');
    await page.locator('[data-testid="plan-table"] tr.action-cap').first().waitFor();
    await page.getByTestId('apply-plan').click();
    await page.getByTestId('toast').filter({ hasText: 'Plan applied' }).waitFor();
    await page.getByTestId('tab-export').click();
    const out = path.join(tmp, 'studio-export');
    await page.getByTestId('export-out').fill(out);
    await page.getByTestId('export-start').click();
    await page.getByTestId('toast').filter({ hasText: 'Export tfrecord' }).waitFor();
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.labels).toEqual(['Bags', 'Shoes > Sneakers']);
    // the cap of 5 applies to training items of each category
    expect(Object.values(manifest.splits.train.per_label)).toEqual([5, 5]);
    await page.getByTestId('tab-browse').click();
  });

  it('trains from the Train view with live curves and lists the run', async () => {
    await page.getByTestId('tab-train').click();
    await page.waitForFunction(() => /WASM|JavaScript|CPU|GPU/.test(document.querySelector('[data-testid="train-backend"]')?.textContent ?? ''));
    await page.getByTestId('train-imageSize').fill('16');
    await page.getByTestId('train-epochs').fill('2');
    await page.getByTestId('train-batchSize').fill('4');
    await page.getByTestId('train-start').click();
    await page.getByTestId('toast').filter({ hasText: /finished: validation top-1/ }).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="chart-loss"] .recharts-line').first().waitFor();
    await page.locator('[data-testid="runs-table"] td.state-done').first().waitFor();
    await page.screenshot({ path: path.join(REPO, 'test-artifacts/studio-train-view.png') });
    const runs = shiwakeJson(['runs', '--project', projectDir]);
    expect(runs[0]).toMatchObject({ state: 'done', model: 'small-cnn' });
  });
});

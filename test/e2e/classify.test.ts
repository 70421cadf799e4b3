/**
 * Classify and evaluate in the studio, end to end in Debian's Chromium: a tiny model trained
 * by the CLI on solid colours, a file picked in the Classify view, and an evaluation whose
 * confused pair leads to exactly its items, where moving one lowers the pair's count.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, shiwake, shiwakeJson } from '../fixtures/cli.js';
import { noisySolid } from '../fixtures/images.js';
import { writeColourFolders } from '../fixtures/flipped.js';
import { tempDir } from '../fixtures/tmp.js';
import { MAX_UPLOAD_MB } from '../../src-main/shared/contract.js';
import { chromiumPresent, openStudio, toastSaying, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
let session: StudioSession | undefined;
let page: Page;
let run: string;

/**
 * Six categories, two of them the same red (Crimson and Scarlet): whatever the model learns,
 * it must confuse those two, so the evaluation always has a confused pair.
 */
const COLOURS: Record<string, [number, number, number]> = {
  Crimson: [220, 20, 30], Scarlet: [220, 20, 30], Green: [30, 200, 40], Blue: [30, 40, 220], Yellow: [230, 220, 30], Black: [10, 10, 10],
};

const text = (testid: string) => page.getByTestId(testid).first().textContent();
/** Waits until Browse shows this many items ("1 item" or "1 items", "16 items"). */
const shownCount = (n: number) => page.waitForFunction((n) => Number(document.querySelector('[data-testid="shown-count"]')?.textContent?.replace(/\D/g, '')) === n, n);

describe.runIf(haveChromium)('classify and evaluate in Chromium', () => {
  beforeAll(async () => {
    await writeColourFolders(root, COLOURS, 8, { size: 12, spread: 21 });
    fs.writeFileSync(path.join(tmp, 'probe-green.png'), await noisySolid(COLOURS.Green!, 99, { size: 12, spread: 21 }));
    shiwakeJson(['import', root, '--project', projectDir]);
    expect(shiwake(['split', '--project', projectDir, '--validation', '0.25']).code).toBe(0);
    const trained = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '8', '--epochs', '2', '--batch-size', '8', '--seed', '1', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const lines = trained.stdout.trim().split('\n');
    run = JSON.parse(lines[lines.length - 1]!).run;
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'), { viewport: { width: 1400, height: 900 } });
    page = session.page;
    await page.getByTestId('tab-classify').waitFor();
  });

  afterAll(() => session?.close());

  it('classifies a picked file: five bars with percentages that sum to at most 100, and the run used', async () => {
    await page.getByTestId('tab-classify').click();
    await expect(page.getByTestId('run-picker').inputValue()).resolves.toBe(run);
    await page.getByTestId('classify-input').setInputFiles(path.join(tmp, 'probe-green.png'));
    const card = page.locator('[data-testid="classify-result"][data-state="done"]').first();
    await card.waitFor();
    expect(await card.getByTestId('classify-error').count()).toBe(0);
    const scores = card.getByTestId('score');
    expect(await scores.count()).toBe(5);
    const percents = (await scores.locator('td.num').allTextContents()).map((t) => Number(t.replace('%', '')));
    expect(percents.every((p) => p >= 0 && p <= 100)).toBe(true);
    expect([...percents].sort((a, b) => b - a)).toEqual(percents);
    expect(percents.reduce((a, b) => a + b)).toBeLessThanOrEqual(100.5);
    expect(await card.textContent()).toContain(`run ${run}`);
    expect(await card.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(REPO, 'test-artifacts/studio-classify-view.png') });
  });

  it('refuses a file over the upload limit before sending it, and shows the engine\'s error line for a file that is not an image', async () => {
    // files on disk: Chromium reads them itself, where a 33 MB buffer would crawl through the protocol
    const huge = path.join(tmp, 'huge.png');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, (MAX_UPLOAD_MB + 1) * 1024 * 1024);
    fs.writeFileSync(path.join(tmp, 'notes.png'), 'not an image at all');
    await page.getByTestId('classify-input').setInputFiles([huge, path.join(tmp, 'notes.png')]);
    const refused = page.locator('[data-testid="classify-result"][data-state="done"]').filter({ hasText: 'huge.png' });
    await refused.waitFor();
    expect(await refused.getByTestId('classify-error').textContent()).toBe(`huge.png: ${(MAX_UPLOAD_MB + 1).toFixed(1)} MB is over the ${MAX_UPLOAD_MB} MB limit for classifying an uploaded file`);
    const notes = page.locator('[data-testid="classify-result"][data-state="done"]').filter({ hasText: 'notes.png' });
    await notes.waitFor();
    expect(await notes.getByTestId('classify-error').textContent()).toMatch(/\S/);
    expect(await notes.getByTestId('score').count()).toBe(0);
  });

  it('evaluates, opens a confused pair in Browse with exactly its items, and a move lowers its count', async () => {
    await page.getByTestId('tab-evaluate').click();
    // the validation split by default, the part training evaluates by itself
    await page.waitForFunction(() => (document.querySelector('[data-testid="evaluate-scope"]') as HTMLSelectElement | null)?.value === 'validation');
    await page.getByTestId('evaluate-start').click();
    await page.waitForFunction(() => {
      const figures = document.querySelector('[data-testid="evaluate-figures"]')?.textContent;
      return figures !== undefined && !/without a prediction/.test(figures) && document.querySelector('[data-testid="pair"]') !== null;
    }, undefined, { timeout: 60_000 });
    const pair = page.getByTestId('pair').first();
    const labelled = (await pair.getAttribute('data-labelled'))!;
    const predicted = (await pair.getAttribute('data-predicted'))!;
    const count = Number(await pair.getAttribute('data-count'));
    expect(count).toBeGreaterThan(0);
    fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(REPO, 'test-artifacts/studio-evaluate-view.png'), fullPage: true });
    expect(await page.getByTestId('metrics-row').count()).toBe(Object.keys(COLOURS).length);

    await pair.click();
    await page.getByTestId('browse-chip').waitFor();
    expect(await text('browse-chip')).toContain(`labelled ${labelled}, predicted ${predicted}, validation split, run ${run}`);
    expect(await page.getByTestId('split-filter').inputValue()).toBe('validation');
    await shownCount(count);
    await page.locator('[data-testid="cell-predicted"]').nth(count - 1).waitFor();
    const captions = await page.getByTestId('cell-predicted').allTextContents();
    expect(captions).toHaveLength(count);
    expect(captions.every((c) => c.startsWith(`${predicted} `))).toBe(true);
    expect(await page.getByTestId('browse-sort').inputValue()).toBe('disagreement');

    await page.getByTestId('cell').first().click();
    await page.keyboard.press('m');
    await page.getByTestId('palette-input').fill(predicted);
    await page.keyboard.press('Enter');
    await page.getByTestId('toast').filter({ hasText: `move 1 item to ${predicted}` }).waitFor();
    await shownCount(count - 1);

    await page.getByTestId('tab-evaluate').click();
    const selector = `[data-testid="pair"][data-labelled="${labelled}"][data-predicted="${predicted}"]`;
    await page.waitForFunction(
      ({ selector, n }) => Number(document.querySelector(selector)?.getAttribute('data-count') ?? 0) === n,
      { selector, n: count - 1 },
    );
  });

  it('opens a matrix cell and a category row in Browse with exactly the items they count', async () => {
    await page.getByTestId('matrix-hide-diagonal').check();
    const cells = page.locator('[data-testid="matrix-cell"].clickable');
    await cells.first().waitFor();
    const cell = cells.first();
    const [, labelled, predicted, n] = (await cell.getAttribute('title'))!.match(/^labelled (.+), predicted (.+): (\d+)$/)!;
    await cell.click();
    expect(await text('browse-chip')).toContain(`labelled ${labelled}, predicted ${predicted}, validation split`);
    await shownCount(Number(n));

    await page.getByTestId('tab-evaluate').click();
    // the row's errors: every off-diagonal count of its matrix row
    const errors = await page.locator('[data-testid="matrix"] tbody tr').evaluateAll(
      (rows, name) => rows.filter((r) => r.querySelector('th')?.getAttribute('title') === name).flatMap((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent || 0))).reduce((a, b) => a + b, 0),
      labelled,
    );
    await page.locator(`[data-testid="metrics-row"][data-name="${labelled}"]`).click();
    expect(await text('browse-chip')).toContain(`labelled ${labelled}, misclassified, validation split`);
    await shownCount(errors);
  });

  it('searches Browse by file name, and classifies selected grid items into the Classify view', async () => {
    await page.getByTestId('tab-browse').click();
    await page.getByTestId('browse-chip-remove').click();
    expect(await page.getByTestId('split-filter').inputValue()).toBe('any'); // the chip's "validation split" went with it
    await page.locator('.tree-row').first().click(); // All categories
    await page.getByTestId('browse-search').fill('blue-3');
    await shownCount(1);
    await page.getByTestId('cell').first().click();
    await page.getByTestId('classify-selected').click();
    const card = page.locator('[data-testid="classify-result"][data-state="done"]').filter({ hasText: 'blue-3.png' });
    await card.waitFor();
    expect(await card.getByTestId('score').count()).toBe(5);
    expect(await card.getByTestId('classify-item').textContent()).toContain('In the dataset as Blue');
    await card.getByTestId('show-in-grid').click();
    await shownCount(1);
    expect(await text('browse-chip')).toContain('file blue-3.png');
  });

  it('exports the model from the Train view, and opens the misclassified gallery of a run', async () => {
    await page.getByTestId('tab-train').click();
    const out = path.join(tmp, 'model-export');
    await page.getByTestId('model-export-out').fill(out);
    await page.getByTestId('model-export-start').click();
    await toastSaying(page, `exported to ${out}`);
    expect(fs.readFileSync(path.join(out, 'labels.txt'), 'utf8').trim().split('\n')).toHaveLength(Object.keys(COLOURS).length);

    await page.getByTestId('run-misclassified').first().click();
    await page.getByTestId('browse-chip').waitFor();
    expect(await text('browse-chip')).toContain(`misclassified, run ${run}`);
    const shown = Number((await text('shown-count'))!.replace(/\D/g, ''));
    expect(shown).toBeGreaterThan(0);
    fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(REPO, 'test-artifacts/studio-misclassified.png') });
  });

  it('classifies an image dropped onto the window, even onto a category of the tree, without moving any item', async () => {
    await page.locator('[data-testid="cell"]').first().click(); // a cursor item that a mistaken drop would move
    const before = shiwakeJson(['stats', '--project', projectDir]).categories;
    const bytes = [...(await noisySolid(COLOURS.Blue!, 77, { size: 12, spread: 21 }))];
    await page.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'dropped-blue.png', { type: 'image/png' }));
      const row = document.querySelector('[data-testid="tree-row"][data-name="Green"]')!;
      for (const type of ['dragenter', 'dragover', 'drop']) row.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }, bytes);
    const card = page.locator('[data-testid="classify-result"][data-state="done"]').filter({ hasText: 'dropped-blue.png' });
    await card.waitFor();
    expect(await page.getByTestId('classify-view').isVisible()).toBe(true);
    expect(await card.getByTestId('score').count()).toBe(5);
    expect(shiwakeJson(['stats', '--project', projectDir]).categories).toEqual(before);
  });
});

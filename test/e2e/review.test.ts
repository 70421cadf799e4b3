/**
 * The review queue in the studio, end to end in Debian's Chromium: solid colours with three
 * labels flipped on purpose, a tiny model trained by the CLI, then Review: find the likely
 * mislabels, accept the first suggestion with one key, see it leave the queue, undo, see it back;
 * and a confused pair of the evaluation opening the queue filtered to that pair.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, shiwake, shiwakeJson } from '../fixtures/cli.js';
import { noisySolid } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openStudio, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
let session: StudioSession | undefined;
let page: Page;

const COLOURS: Record<string, [number, number, number]> = {
  Red: [220, 20, 30], Green: [30, 200, 40], Blue: [30, 40, 220], Yellow: [230, 220, 30], Black: [10, 10, 10],
};
/** folder -> the colour of its one wrong image: three labels flipped on purpose */
const FLIPPED: Record<string, string> = { Green: 'Red', Blue: 'Yellow', Black: 'Red' };
const PER_CATEGORY = 12;

const current = () => page.getByTestId('review-item');
/** Waits until the item under review is (or is not) this one. */
const waitCurrent = (id: string, is: boolean) =>
  page.waitForFunction(({ id, is }) => {
    const shown = document.querySelector('[data-testid="review-item"]')?.getAttribute('data-id') ?? null;
    return is ? shown === id : shown !== id;
  }, { id, is });
const inQueue = (id: string) => page.locator(`[data-testid="review-item"][data-id="${id}"], [data-testid="review-next-item"][data-id="${id}"]`).count();
/** The item's current category, as the command line sees it (another process on the same database). */
const categoryOf = (relPath: string): string => shiwakeJson<{ category: string }>(['history', '--project', projectDir, relPath]).category;

describe.runIf(haveChromium)('the review queue in Chromium', () => {
  beforeAll(async () => {
    for (const [name, colour] of Object.entries(COLOURS)) {
      fs.mkdirSync(path.join(root, name), { recursive: true });
      for (let i = 0; i < PER_CATEGORY; i++) {
        const flipped = FLIPPED[name] !== undefined && i === 0;
        const file = flipped ? `${name.toLowerCase()}-really-${FLIPPED[name]!.toLowerCase()}.png` : `${name.toLowerCase()}-${i}.png`;
        fs.writeFileSync(path.join(root, name, file), await noisySolid(flipped ? COLOURS[FLIPPED[name]!]! : colour, i, { size: 12, spread: 21 }));
      }
    }
    shiwakeJson(['import', root, '--project', projectDir]);
    const trained = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '8', '--epochs', '4', '--batch-size', '8', '--learning-rate', '0.01', '--seed', '1', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'), { viewport: { width: 1400, height: 900 } });
    page = session.page;
    await page.getByTestId('tab-review').waitFor();
  });

  afterAll(() => session?.close());

  it('finds the flipped labels, accepts the first suggestion with A, and Ctrl+Z brings it back', async () => {
    await page.getByTestId('tab-review').click();
    await page.getByTestId('review-start').click();
    // the review job embeds and scores every item: minutes on a loaded two-core machine
    await current().waitFor({ timeout: 240_000 });
    await page.getByTestId('review-progress').waitFor();
    expect(await page.getByTestId('review-summary-row').count()).toBe(Object.keys(COLOURS).length);

    const first = current();
    const id = (await first.getAttribute('data-id'))!;
    const relPath = (await first.getAttribute('data-path'))!;
    const label = (await first.getAttribute('data-label'))!;
    const suggested = (await first.getAttribute('data-suggested'))!;
    // the most likely wrong item is one of the three flipped on purpose, and the suggestion is its colour
    expect(relPath).toMatch(/-really-/);
    expect(relPath).toContain(`-really-${suggested.toLowerCase()}.png`);
    await expect.poll(() => first.getByTestId('review-neighbours').count()).toBe(1); // the neighbours load after the item shows
    fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(REPO, 'test-artifacts/studio-review-view.png') });

    await page.keyboard.press('a');
    await waitCurrent(id, false);
    await page.getByTestId('toast').filter({ hasText: `to ${suggested}` }).first().waitFor();
    await page.waitForFunction((id) => !document.querySelector(`[data-testid="review-next-item"][data-id="${id}"]`), id);
    expect(await inQueue(id)).toBe(0);
    expect(categoryOf(relPath)).toBe(suggested);

    await page.keyboard.press('Control+z');
    await waitCurrent(id, true);
    expect(await current().getAttribute('data-label')).toBe(label);
    expect(categoryOf(relPath)).toBe(label);
  }, 300_000);

  it('keeps a label with K (the item leaves the queue and the progress counts it), and Ctrl+Z brings it back', async () => {
    await page.getByTestId('tab-review').click();
    const id = (await current().getAttribute('data-id'))!;
    const reviewed = async () => Number((await page.getByTestId('review-progress').textContent())!.match(/reviewed (\d+)/)![1]);
    const before = await reviewed();
    await page.keyboard.press('k');
    await waitCurrent(id, false);
    await page.waitForFunction((id) => !document.querySelector(`[data-testid="review-next-item"][data-id="${id}"]`), id);
    await expect.poll(reviewed).toBe(before + 1);
    await page.keyboard.press('Control+z');
    await waitCurrent(id, true);
    await expect.poll(reviewed).toBe(before);
  });

  it('X excludes and M moves to a category picked in the palette ("neither"); each leaves the queue and Ctrl+Z brings it back', async () => {
    const id = (await current().getAttribute('data-id'))!;
    const label = (await current().getAttribute('data-label'))!;
    await page.keyboard.press('x');
    await waitCurrent(id, false);
    await page.keyboard.press('Control+z');
    await waitCurrent(id, true);

    const other = Object.keys(COLOURS).find((c) => c !== label && c !== FLIPPED[label])!;
    await page.keyboard.press('m');
    await page.getByTestId('palette-input').fill(other);
    await page.keyboard.press('Enter');
    await waitCurrent(id, false);
    await page.getByTestId('toast').filter({ hasText: `to ${other}` }).first().waitFor();
    await page.keyboard.press('Control+z');
    await waitCurrent(id, true);
    expect(await current().getAttribute('data-label')).toBe(label);
  });

  it('opens the queue filtered to a confused pair from the evaluation', async () => {
    await page.getByTestId('tab-evaluate').click();
    // all items: the flipped ones may all have landed in the training split
    await page.getByTestId('evaluate-scope').selectOption('all');
    await page.getByTestId('evaluate-start').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="pair-review"]') !== null, undefined, { timeout: 60_000 });
    const pair = page.getByTestId('pair').first();
    const labelled = (await pair.getAttribute('data-labelled'))!;
    const predicted = (await pair.getAttribute('data-predicted'))!;
    await pair.getByTestId('pair-review').click();
    await page.getByTestId('review-view').waitFor();
    const chosen = (testid: string) => page.getByTestId(testid).evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? '');
    await expect(chosen('review-filter-labelled')).resolves.toBe(labelled);
    await expect(chosen('review-filter-suggested')).resolves.toBe(predicted);
    // every item shown is labelled in the pair's first category; the queue says so or is empty
    await page.waitForFunction(() => document.querySelector('[data-testid="review-item"], [data-testid="review-done"]') !== null);
    for (const l of await page.locator('[data-testid="review-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')))) expect(l).toBe(labelled);
  });
});

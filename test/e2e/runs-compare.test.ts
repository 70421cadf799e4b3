/**
 * Runs side by side in the Train view, end to end in Debian's Chromium (issue 13): two runs
 * trained by the CLI on tiny generated pictures (one at the leaves, one at level 1 of the tree),
 * both ticked: their validation curves overlaid (two series), their names and options in the
 * table beside; a name and a note edited in place reach the database; Evaluate names the run's
 * level; and the Train form's tree level and name start a run that stores both.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, shiwake, shiwakeJson } from '../fixtures/cli.js';
import { writePatterns } from '../fixtures/patterns.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openStudio, toastSaying, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
let session: StudioSession | undefined;
let page: Page;

const train = (extra: string[]): string => {
  const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '8', '--batch-size', '4', '--epochs', '2', '--seed', '1', ...extra, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).run;
};
const runsNow = (): { run: string; name: string | null; note: string | null; options: { level?: number } }[] => shiwakeJson(['runs', '--project', projectDir]);
const row = (run: string) => page.locator(`[data-testid="runs-table"] tr[data-run="${run}"]`);

describe.runIf(haveChromium)('comparing runs in the Train view', () => {
  let leaves: string;
  let coarse: string;

  beforeAll(async () => {
    await writePatterns(root, 'Lines/Across', 'across', 6, 0);
    await writePatterns(root, 'Lines/Down', 'down', 6, 10);
    await writePatterns(root, 'Square', 'centre', 6, 20);
    shiwakeJson(['import', root, '--project', projectDir]);
    shiwakeJson(['split', '--project', projectDir, '--validation', '0.34', '--seed', '2']);
    leaves = train(['--name', 'leaf run']);
    coarse = train(['--name', 'coarse run', '--level', '1']);
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'), { viewport: { width: 1400, height: 1000 } });
    page = session.page;
    await page.getByTestId('tab-train').click();
    await page.getByTestId('runs-table').waitFor();
  }, 240_000);

  afterAll(() => session?.close());

  it('overlays the validation curves of two ticked runs, with their names and options beside', async () => {
    fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
    await row(leaves).getByTestId('run-compare').check();
    await row(coarse).getByTestId('run-compare').check();
    const validation = page.getByTestId('compare-chart-validation top-1 %');
    // attached, not visible: a run at 100% every epoch draws a flat line, which has no height to be seen
    await validation.locator('path.recharts-line-curve').nth(1).waitFor({ state: 'attached' });
    expect(await validation.locator('path.recharts-line-curve').count()).toBe(2);
    const legend = await validation.locator('.recharts-legend-item-text').allTextContents();
    expect(legend.sort()).toEqual(['coarse run', 'leaf run']);
    expect(await page.getByTestId('compare-name').allTextContents()).toEqual(expect.arrayContaining(['leaf run', 'coarse run']));
    const options = page.getByTestId('compare-options');
    expect(await options.locator(`tr[data-run="${coarse}"]`).textContent()).toMatch(/coarse runsmall-cnn84 ?2 ?1/);
    expect(await options.locator(`tr[data-run="${leaves}"]`).textContent()).toContain('leaves');
    await page.getByTestId('runs-compare').screenshot({ path: path.join(REPO, 'test-artifacts/studio-runs-compare.png') });
    // loss: train and validation of each run
    await expect.poll(() => page.getByTestId('compare-chart-loss').locator('path.recharts-line-curve').count()).toBe(4);
    // unticking one leaves one series
    await row(leaves).getByTestId('run-compare').uncheck();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-chart-validation top-1 %"] path.recharts-line-curve').length === 1);
  });

  it('renames a run and notes why it was run, in place, and the runs list says so', async () => {
    await row(leaves).getByTestId('run-name').click();
    await row(leaves).getByTestId('run-name-input').fill('leaves, seed 1');
    await row(leaves).getByTestId('run-name-input').press('Enter');
    await row(leaves).getByTestId('run-name').filter({ hasText: 'leaves, seed 1' }).waitFor();
    await row(leaves).getByTestId('run-note').click();
    await row(leaves).getByTestId('run-note-input').fill('baseline for the twins');
    await row(leaves).getByTestId('run-note-input').press('Control+Enter');
    await row(leaves).getByTestId('run-note').filter({ hasText: 'baseline for the twins' }).waitFor();
    expect(runsNow().find((r) => r.run === leaves)).toMatchObject({ name: 'leaves, seed 1', note: 'baseline for the twins' });
    // the comparison follows the new name
    await row(leaves).getByTestId('run-compare').check();
    await page.getByTestId('compare-name').filter({ hasText: 'leaves, seed 1' }).waitFor();
  });

  it('names the run and its level in the Evaluate view, whose figures stay at the run\'s level', async () => {
    await page.getByTestId('tab-evaluate').click();
    const picker = page.getByTestId('run-picker');
    expect(await picker.locator(`option[value="${coarse}"]`).textContent()).toMatch(/^coarse run · .* · level 1 · /);
    await picker.selectOption(coarse);
    await page.getByTestId('evaluate-run-level').filter({ hasText: 'figures at level 1' }).waitFor();
    await page.getByTestId('tab-train').click();
  });

  it('starts a run from the form at a tree level, with a name', async () => {
    await page.getByTestId('train-imageSize').fill('8');
    await page.getByTestId('train-epochs').fill('1');
    await page.getByTestId('train-batchSize').fill('4');
    await page.getByTestId('train-level').fill('1');
    await page.getByTestId('train-name').fill('from the form');
    await page.getByTestId('train-start').click();
    await toastSaying(page, 'finished', 180_000);
    const made = runsNow().find((r) => r.name === 'from the form');
    expect(made?.options.level).toBe(1);
    await row(made!.run).getByTestId('run-name').filter({ hasText: 'from the form' }).waitFor();
  }, 240_000);
});

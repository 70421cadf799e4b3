/**
 * The Balance and Train views in Chromium (issue 9, items 19 and 23): Apply shows the applied
 * plan at once, a reload fills the form from it, a stale plan says what changed and re-plans,
 * the start screen names the backend, and Resume never shows the stopped run's last figures.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openPage, startServe, type Serve } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const projectDir = path.join(tmp, 'project');
const home = path.join(tmp, 'home');
let serve: Serve;
let browser: Browser;
let page: Page;


describe.runIf(haveChromium)('Balance and Train views', () => {
  beforeAll(async () => {
    const root = path.join(tmp, 'data');
    for (let i = 0; i < 12; i++) await writeImage(path.join(root, 'Big', `${i}.png`), { format: 'png', seed: i, width: 16, height: 16 });
    for (let i = 0; i < 6; i++) await writeImage(path.join(root, 'Small', `${i}.png`), { format: 'png', seed: 50 + i, width: 16, height: 16 });
    shiwakeJson(['import', root, '--project', projectDir]);
    shiwakeJson(['split', '--project', projectDir, '--validation', '0.25']);
    ({ browser, page } = await openPage());
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('names the backend on the start screen instead of "loading…"', async () => {
    serve = await startServe([], home);
    await page.goto(serve.url);
    await page.waitForFunction(() => /backend: (WASM|native|CUDA|plain)/.test(document.body.textContent ?? ''), undefined, { timeout: 60_000 });
    await serve.stop();
  });

  it('shows the applied plan right after Apply, and fills the form from it after a reload', async () => {
    serve = await startServe(['--project', projectDir], home);
    await page.goto(serve.url);
    await page.getByTestId('tab-balance').click();
    await page.getByTestId('max-input').fill('4');
    await page.locator('[data-testid="plan-table"] tr.action-cap').first().waitFor();
    await page.getByTestId('apply-plan').click();
    await page.getByTestId('applied-plan').filter({ hasText: /Applied plan .*cap 4, min none/ }).waitFor();
    await page.reload();
    await page.getByTestId('tab-balance').click();
    await page.getByTestId('applied-plan').filter({ hasText: 'cap 4' }).waitFor();
    await expect.poll(() => page.getByTestId('max-input').inputValue()).toBe('4');
    expect(await page.getByTestId('plan-stale').count()).toBe(0);
  });

  it('flags the plan as stale after a relabel elsewhere, says what changed, and re-plans', async () => {
    const moved = shiwakeJson(['stats', '--project', projectDir]);
    expect(moved.active).toBe(18);
    shiwakeJson(['relabel', '--project', projectDir, '--to', 'Small', ...fs.readdirSync(path.join(tmp, 'data', 'Big')).slice(0, 3).map((f) => `Big/${f}`)]);
    await page.reload();
    await page.getByTestId('tab-balance').click();
    const stale = page.getByTestId('plan-stale');
    await stale.filter({ hasText: /Big: \d+ train \+ \d+ validation -> \d+ train/ }).waitFor();
    await page.getByTestId('replan').click();
    await stale.waitFor({ state: 'detached' });
    expect(shiwakeJson(['balance', '--project', projectDir]).applied_plan).toMatchObject({ stale: false, options: { maxPerCategory: 4 } });
  });

  it('never shows the stopped run\'s last figures after Resume', async () => {
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-imageSize').fill('8');
    await page.getByTestId('train-epochs').fill('100'); // long enough to stop, twice
    await page.getByTestId('train-batchSize').fill('2');
    await page.getByTestId('train-start').click();
    await page.getByTestId('train-progress').waitFor({ timeout: 60_000 });
    await page.getByTestId('train-stop').click();
    await page.locator('[data-testid="runs-table"] td.state-stopped').waitFor({ timeout: 60_000 });
    const run = shiwakeJson(['runs', '--project', projectDir])[0].run as string;
    const stoppedAt = JSON.parse(fs.readFileSync(path.join(projectDir, 'runs', run, 'checkpoint', 'state.json'), 'utf8')).step as number;

    // record every progress line the page shows from the click on
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      new MutationObserver(() => {
        const line = document.querySelector('[data-testid="train-progress"]')?.textContent;
        if (line && seen[seen.length - 1] !== line) seen.push(line);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.locator('[data-testid="runs-table"] button', { hasText: 'Resume' }).click();
    await page.waitForFunction((after) => (window as unknown as { seen: string[] }).seen.some((l) => Number(/step (\d+)\//.exec(l)?.[1]) > after + 1), stoppedAt, { timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    await page.getByTestId('train-stop').click();
    await page.locator('[data-testid="runs-table"] td.state-stopped').waitFor({ timeout: 60_000 });
    const steps = seen.map((l) => Number(/step (\d+)\//.exec(l)?.[1]));
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) expect(s, `a progress line after Resume showed step ${s}, at or before the checkpoint (${stoppedAt})`).toBeGreaterThan(stoppedAt);
  }, 300_000); // two trainer processes
});

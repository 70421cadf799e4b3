/**
 * `--batch-size auto` in the studio, end to end in Debian's Chromium (issue 13): the Train
 * form's "auto batch" and "effective batch" start a tiny run; the run's header shows the batch
 * per step the probe chose, the effective batch the accumulation reaches, and how the batch was
 * chosen; the run's stored options hold the same numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, shiwakeJson } from '../fixtures/cli.js';
import { writePatterns } from '../fixtures/patterns.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openStudio, toastSaying, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const projectDir = path.join(tmp, 'project');
// the studio's trainer finds its batch cache here (spawnShiwake passes this process's environment on)
process.env.SHIWAKE_HOME = path.join(tmp, 'home');
let session: StudioSession | undefined;
let page: Page;

describe.runIf(haveChromium)('an auto batch in the Train view', () => {
  beforeAll(async () => {
    const root = path.join(tmp, 'data');
    await writePatterns(root, 'Across', 'across', 8, 0);
    await writePatterns(root, 'Down', 'down', 8, 10);
    shiwakeJson(['import', root, '--project', projectDir]);
    shiwakeJson(['split', '--project', projectDir, '--validation', '0.25', '--seed', '2']);
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'), { viewport: { width: 1400, height: 1000 } });
    page = session.page;
    await page.getByTestId('tab-train').click();
  });

  afterAll(() => session?.close());

  it('starts a run with an auto batch and an effective batch, and shows the batch per step, the effective batch and how it was chosen', async () => {
    await page.getByTestId('train-imageSize').fill('8');
    await page.getByTestId('train-epochs').fill('1');
    await page.getByTestId('train-batch-auto').check();
    expect(await page.getByTestId('train-batchSize').isDisabled()).toBe(true);
    await page.getByTestId('train-effectiveBatch').fill('20');
    await page.getByTestId('train-effective-batch').filter({ hasText: 'batch chosen at the start; effective batch at least 20' }).waitFor();
    expect(await page.getByTestId('train-accumulate').isDisabled()).toBe(true);
    await page.getByTestId('train-start').click();
    await toastSaying(page, 'finished', 180_000);

    const run = shiwakeJson(['runs', '--project', projectDir])[0] as { options: { batchSize: number; accumulate: number; effectiveBatch: number; batchProbe: { method: string } } };
    const { batchSize, accumulate } = run.options;
    expect(run.options).toMatchObject({ effectiveBatch: 20, batchProbe: { method: 'speed' } });
    expect(accumulate).toBe(Math.ceil(20 / batchSize));
    await page.getByTestId('run-batch').filter({ hasText: 'auto: the fastest on the CPU' }).waitFor();
    expect(Number(await page.getByTestId('run-batch-size').textContent())).toBe(batchSize);
    expect(Number(await page.getByTestId('run-effective-batch').textContent())).toBe(batchSize * accumulate);
    fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
    await page.getByTestId('train-view').screenshot({ path: path.join(REPO, 'test-artifacts/studio-batch-auto.png') });
  }, 240_000);
});

/**
 * Transfer learning in the Train view, end to end in Debian's Chromium (issue 13): choose
 * "pretrained backbone", give the folder of a small CNN this file saves itself, Check shows its
 * input size, parameter count and feature width (the engine loads it in a child process); a
 * folder that holds no model gets a one-line error naming model.json. With "cache features"
 * ticked the run computes the backbone's features once, trains the head, stores the options
 * and the runs table says its mode.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project } from '../../src-main/engine/project.js';
import { buildModel } from '../../src-main/engine/train/models.js';
import { saveModel } from '../../src-main/engine/train/modelIO.js';
import { initBackend } from '../../src-main/engine/train/tf.js';
import { REPO, shiwakeJson } from '../fixtures/cli.js';
import { writePatterns } from '../fixtures/patterns.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openStudio, toastSaying, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
const backboneDir = path.join(tmp, 'backbone');
let session: StudioSession | undefined;
let page: Page;

describe.runIf(haveChromium)('a pretrained backbone in the Train view', () => {
  beforeAll(async () => {
    await writePatterns(root, 'Across', 'across', 6, 0);
    await writePatterns(root, 'Down', 'down', 6, 10);
    await writePatterns(root, 'Centre', 'centre', 6, 20);
    shiwakeJson(['import', root, '--project', projectDir]);
    shiwakeJson(['split', '--project', projectDir, '--validation', '0.34', '--seed', '2']);
    await initBackend('cpu');
    // small-cnn at 12 px: conv1 (896 weights) + conv2 (18,496) + fc1 (3 x 3 x 64 -> 256: 147,712) + logits (1,285)
    await saveModel(buildModel('small-cnn', { classes: 5, imageSize: 12 }), backboneDir);
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'), { viewport: { width: 1400, height: 1000 } });
    page = session.page;
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-model').waitFor();
  }, 240_000);

  afterAll(() => session?.close());

  it('checks a backbone folder: its input size, parameters and feature width; a folder without a model says so', async () => {
    await page.getByTestId('train-model').selectOption('backbone');
    await expect.poll(() => page.getByTestId('train-start').isDisabled()).toBe(true); // no backbone given yet
    await page.getByTestId('train-backbone-location').fill(tmp);
    await page.getByTestId('train-backbone-check').click();
    const error = page.getByTestId('train-backbone-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(new RegExp(`cannot read a TensorFlow.js model from ${path.join(tmp, 'model.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await page.getByTestId('train-backbone-location').fill(backboneDir);
    await page.getByTestId('train-backbone-check').click();
    const info = page.getByTestId('train-backbone-info');
    await info.waitFor({ timeout: 60_000 });
    expect(await info.textContent()).toBe('small_cnn: input 12 × 12 px · 168,389 parameters · 64 features · 5 layers');
    fs.mkdirSync(path.join(REPO, 'test-artifacts'), { recursive: true });
    await page.getByTestId('train-backbone').screenshot({ path: path.join(REPO, 'test-artifacts/studio-transfer.png') });
  }, 120_000);

  it('starts a cached-features run, which says its mode in the runs table', async () => {
    await page.getByTestId('train-cacheFeatures').check();
    await page.getByTestId('train-epochs').fill('2');
    await page.getByTestId('train-batchSize').fill('4');
    await page.getByTestId('train-name').fill('cached head');
    await page.getByTestId('train-start').click();
    await toastSaying(page, 'finished', 180_000);
    const project = Project.open(projectDir);
    const run = project.runs.all().find((r) => r.name === 'cached head');
    project.close();
    expect(run?.state).toBe('done');
    expect(JSON.parse(run!.options)).toMatchObject({ backbone: backboneDir, cacheFeatures: true });
    expect(run!.id).toMatch(/-transfer$/);
    const row = page.locator(`[data-testid="runs-table"] tr[data-run="${run!.id}"]`);
    await row.getByTestId('run-mode').filter({ hasText: 'frozen backbone, head on cached features' }).waitFor();
    expect(await row.textContent()).toContain('backbone backbone');
  }, 240_000);
});

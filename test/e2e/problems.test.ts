/**
 * The import problems panel in Chromium: the list outlives the import's toast, names every
 * skipped file and broken image with its reason, filters, and the tree counts broken items.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiwakeJson, spawnShiwake } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { requireSystem, tempDir } from '../fixtures/tmp.js';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.js';

const haveChromium = requireSystem('Debian chromium (apt-get install chromium)', fs.existsSync(CHROMIUM));
const tmp = tempDir();
const projectDir = path.join(tmp, 'project');
let server: ChildProcess;
let browser: Browser;
let page: Page;

describe.runIf(haveChromium)('import problems panel', () => {
  beforeAll(async () => {
    const root = path.join(tmp, 'data');
    for (let i = 0; i < 3; i++) await writeImage(path.join(root, 'Bags', `b${i}.jpg`), { seed: i });
    fs.writeFileSync(path.join(root, 'Bags/cut-off.jpg'), fs.readFileSync(path.join(root, 'Bags/b0.jpg')).subarray(0, 300));
    fs.writeFileSync(path.join(root, 'Bags/notes.txt'), 'a text file, not a photo');
    shiwakeJson(['import', root, '--project', projectDir]);
    server = spawnShiwake(['serve', '--project', projectDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SHIWAKE_HOME: path.join(tmp, 'home') } });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/);
        if (m) resolve(m[0]);
      });
      server.once('exit', (code) => reject(new Error(`shiwake serve exited with ${code}`)));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

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

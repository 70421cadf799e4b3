/**
 * How the e2e tests start Debian's Chromium and `shiwake serve`: one place, so every file
 * launches the same headless browser and reads the server's URL the same way.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { spawnShiwake } from '../fixtures/cli.js';
import { requireSystem } from '../fixtures/tmp.js';

export const CHROMIUM = '/usr/bin/chromium';
/** true when Chromium is installed; otherwise says why the file is skipped (and throws under CI=true) */
export const chromiumPresent = (): boolean => requireSystem('Debian chromium (apt-get install chromium)', fs.existsSync(CHROMIUM));
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface Serve {
  /** the studio's address with its token, as `serve` prints it */
  url: string;
  server: ChildProcess;
  /** ends the server and waits until it has exited */
  stop: () => Promise<void>;
}

/** Starts `shiwake serve <args> --port 0` with SHIWAKE_HOME=home and waits for the URL it prints. */
export function startServe(args: string[], home: string): Promise<Serve> {
  const server = spawnShiwake(['serve', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SHIWAKE_HOME: home } });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    // serve exits by itself 10 s after SIGTERM at the latest; past 30 s it is stuck, and says so
    let stuck: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      stuck = setTimeout(() => {
        server.kill('SIGKILL');
        reject(new Error('shiwake serve did not exit within 30 s of SIGTERM'));
      }, 30_000);
    });
    await Promise.race([exited, late]).finally(() => clearTimeout(stuck));
  };
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const url = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/);
      if (url) resolve({ url: url[0], server, stop });
    });
    server.once('exit', (code) => reject(new Error(`shiwake serve exited with ${code}`)));
  });
}

/** Launches headless Chromium with one page of this size. */
export async function openPage(viewport = { width: 1280, height: 800 }): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  return { browser, page: await browser.newPage({ viewport }) };
}

export interface StudioSession {
  page: Page;
  serve: Serve;
  /** closes the browser, then stops the server */
  close: () => Promise<void>;
}

/** `shiwake serve <args>` and a Chromium page already at its URL: what most e2e files start with. */
export async function openStudio(args: string[], home: string, options: { viewport?: { width: number; height: number }; timeout?: number } = {}): Promise<StudioSession> {
  const serve = await startServe(args, home);
  const { browser, page } = await openPage(options.viewport);
  if (options.timeout !== undefined) page.setDefaultTimeout(options.timeout);
  await page.goto(serve.url);
  return { page, serve, close: async () => { await browser.close(); await serve.stop(); } };
}

/**
 * Waits for a toast that contains `text`. An error toast that shows up meanwhile ends the wait
 * at once with its message, so a failure says what the studio said instead of only timing out.
 */
export async function toastSaying(page: Page, text: string, timeout = 60_000): Promise<void> {
  const seen = await page.waitForFunction(
    (text) => {
      const toasts = [...document.querySelectorAll('[data-testid="toast"]')];
      if (toasts.some((t) => t.textContent?.includes(text))) return { ok: true as const };
      const error = toasts.find((t) => t.classList.contains('error'));
      return error ? { ok: false as const, error: error.textContent ?? '' } : null;
    },
    text,
    { timeout },
  ).then((h) => h.jsonValue());
  if (!seen?.ok) throw new Error(`waiting for a toast saying "${text}", the studio showed an error instead: ${seen?.error}`);
}

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../fixtures/cli.js';

// test/globalSetup.ts ran `electron-vite build`; here we check what it made.
describe('the Electron build', () => {
  const out = (p: string) => path.join(REPO, 'out', p);

  it('builds main, preload and renderer', () => {
    for (const f of ['main/index.js', 'preload/index.cjs', 'renderer/index.html']) expect(fs.existsSync(out(f)), f).toBe(true);
  });

  it('keeps the engine and native modules out of Electron (they run in `shiwake host`), and the preload down to the contract client', () => {
    const files = fs.readdirSync(out('main'), { recursive: true }).map(String).filter((f) => f.endsWith('.js'));
    const main = files.map((f) => fs.readFileSync(out(path.join('main', f)), 'utf8')).join('\n');
    expect(main).not.toMatch(/better-sqlite3|sharp|@tensorflow/);
    expect(main).toContain('shiwake-media');
    expect(main).toMatch(/["']host["']/);
    const preload = fs.readFileSync(out('preload/index.cjs'), 'utf8');
    expect(preload).toContain('exposeInMainWorld');
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
  });

  it('ships a strict Content-Security-Policy in the page', () => {
    const html = fs.readFileSync(out('renderer/index.html'), 'utf8');
    expect(html).toMatch(/Content-Security-Policy/);
    expect(html).toMatch(/object-src 'none'/);
    expect(html).not.toMatch(/unsafe-eval/);
  });
});

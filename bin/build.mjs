#!/usr/bin/env node
// The one place that builds the studio (Electron main, preload, renderer into out/): `npm run
// build`, `npm start`, `shiwake serve` on a fresh clone and the tests' global setup all call it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** Runs `electron-vite build`; returns true when it succeeded (its errors went to stderr). */
export function buildStudio() {
  const cli = path.join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js');
  const r = spawnSync(process.execPath, [cli, 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return r.status === 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!buildStudio()) {
    console.error('shiwake: the studio did not build (see above)');
    process.exit(1);
  }
}

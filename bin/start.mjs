#!/usr/bin/env node
// `npm start`: build the studio, then open it in Electron; where Electron cannot start (no
// binary, no display) say so in one line and start browser mode instead, printing its URL.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildStudio, REPO_ROOT as root } from './build.mjs';

if (!buildStudio()) {
  console.error('shiwake: the studio did not build (see above)');
  process.exit(1);
}

function electronBinary() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display (DISPLAY is not set)' };
  try {
    return { binary: createRequire(import.meta.url)('electron') };
  } catch (err) {
    return { reason: `the Electron binary is not installed (${String(err.message).split('\n')[0]})` };
  }
}

function browserMode(reason) {
  console.log(`Electron cannot start here: ${reason}. Starting browser mode instead.`);
  const child = spawn(process.execPath, [path.join(root, 'bin/shiwake.mjs'), 'serve', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}

const { binary, reason } = electronBinary();
if (!binary) browserMode(reason);
else {
  const started = Date.now();
  // the engine host runs on this very Node.js (see src-main/index.ts)
  const child = spawn(binary, [root], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, SHIWAKE_NODE: process.execPath } });
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr += c;
    process.stderr.write(c);
  });
  child.on('error', (err) => browserMode(`Electron failed to start (${err.message})`));
  child.on('exit', (code) => {
    if (code !== 0 && Date.now() - started < 5000) browserMode(`Electron exited at once (${stderr.trim().split('\n').pop() || `code ${code}`})`);
    else process.exit(code ?? 0);
  });
}

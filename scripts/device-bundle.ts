/**
 * `npm run device-bundle`: the device check (scripts/device-check.ts) made to travel to a GPU
 * machine that has neither Node.js nor an npm registry. Writes `.device/` (ignored by git):
 *
 *   .device/shiwake-device.tar.xz  this machine's Node.js binary, the check bundled into one
 *                                  file with TensorFlow.js and its WASM binaries, the `webgpu`
 *                                  package with Dawn for linux-x64, and the Vulkan loader
 *                                  (libvulkan.so.1) where this machine has one
 *   .device/run.sh                 unpacks it into a temporary folder and runs the check:
 *                                  `bash .device/run.sh [--json] [--backends webgpu,wasm]`
 *
 * Native TensorFlow (tfjs-node, tfjs-node-gpu) stays out: libtensorflow cannot be downloaded
 * on any machine of this workplace. The bundle is checked by running it here before it is
 * reported done.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, '.device');
const LIMIT_MIB = 60;
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'shiwake-device-'));
const content = path.join(stage, 'shiwake-device');

function copy(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function run(command: string, args: string[], cwd?: string): void {
  const r = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

try {
  fs.mkdirSync(content, { recursive: true });
  // one ESM file; CommonJS dependencies inside it get a require of their own
  await build({
    entryPoints: [path.join(ROOT, 'scripts/device-check.ts')],
    outfile: path.join(content, 'check.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    // CommonJS inside an ES module: require, __dirname and __filename as the bundle's own (the WASM backend's loader reads __dirname)
    banner: { js: "import { createRequire as __shiwakeRequire } from 'node:module'; const require = __shiwakeRequire(import.meta.url); const __dirname = import.meta.dirname; const __filename = import.meta.filename;" },
    logLevel: 'warning',
  });
  const wasmDir = path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copy(path.join(wasmDir, f), path.join(content, f));
  const webgpu = path.join(ROOT, 'node_modules/webgpu');
  for (const f of ['package.json', 'index.js', 'LICENSE.md', 'dist/linux-x64/dawn.node']) copy(path.join(webgpu, f), path.join(content, 'node_modules/webgpu', f));
  copy(path.join(ROOT, 'test/bench/torch_train.py'), path.join(content, 'torch_train.py')); // the PyTorch reference
  copy(process.execPath, path.join(content, 'node'));
  fs.chmodSync(path.join(content, 'node'), 0o755);
  const loader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].find((f) => fs.existsSync(f));
  if (loader) copy(fs.realpathSync(loader), path.join(content, 'lib/libvulkan.so.1'));
  else console.warn('no Vulkan loader (libvulkan.so.1) here: the GPU machine must have its own for WebGPU');

  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT);
  process.env.XZ_OPT ??= '-6 -T0'; // every core
  run('tar', ['-C', stage, '-cJf', path.join(OUT, 'shiwake-device.tar.xz'), 'shiwake-device']);
  fs.writeFileSync(
    path.join(OUT, 'run.sh'),
    `#!/usr/bin/env bash
# The Shiwake device check, with its own Node.js: bash run.sh [--json] [--backends webgpu,wasm]
set -euo pipefail
here="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
tar -C "$dir" -xJf "$here/shiwake-device.tar.xz"
export LD_LIBRARY_PATH="$dir/shiwake-device/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export XDG_RUNTIME_DIR="\${XDG_RUNTIME_DIR:-$dir}"
"$dir/shiwake-device/node" "$dir/shiwake-device/check.mjs" "$@"
`,
    { mode: 0o755 },
  );
  const total = fs.readdirSync(OUT).reduce((s, f) => s + fs.statSync(path.join(OUT, f)).size, 0);
  console.log(`wrote ${path.relative(ROOT, OUT)}/ (${mib(total)}; limit ${LIMIT_MIB} MiB): run it with "bash .device/run.sh --json"`);
  if (total > LIMIT_MIB * 2 ** 20) throw new Error(`the bundle is ${mib(total)}, over ${LIMIT_MIB} MiB`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}

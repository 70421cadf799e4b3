/**
 * Backend choice: an explicit backend is honoured or refused with the reason (never a silent
 * fall back), and the studio learns which backend the machine has from a child process, so
 * the engine process never loads TensorFlow.js (nor holds GPU memory).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, shiwake, shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { fakeGpuPackage } from '../fixtures/fakeGpu.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const installed = (pkg: string): boolean => fs.existsSync(path.join(REPO, 'node_modules', pkg, 'package.json'));

/** Runs a TypeScript module snippet in a fresh Node process (as the engine runs) and returns what it prints last as JSON. */
function runSnippet(code: string, env: NodeJS.ProcessEnv = {}): { json: any; ms: number; stderr: string } {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', code], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
  if (r.status !== 0) throw new Error(`snippet exited ${r.status}: ${r.stderr}`);
  return { json: JSON.parse(r.stdout.trim().split('\n').pop()!), ms: Date.now() - started, stderr: r.stderr };
}

describe('an explicit backend', () => {
  it('is refused with the reason when its package is missing or finds no GPU; wasm and cpu load', () => {
    const code = `
      import { initBackend } from './src-main/engine/train/tf.ts';
      const out = {};
      for (const b of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']) {
        try { out[b] = { name: (await initBackend(b)).name }; } catch (e) { out[b] = { error: e.message }; }
      }
      console.log(JSON.stringify(out));`;
    const plain = runSnippet(code).json;
    if (!installed('@tensorflow/tfjs-node-gpu')) expect(plain['tensorflow-gpu'].error).toMatch(/^the tensorflow-gpu backend is not available here: @tensorflow\/tfjs-node-gpu is not installed; with an NVIDIA GPU/);
    if (!installed('@tensorflow/tfjs-node')) expect(plain.tensorflow.error).toMatch(/^the tensorflow backend is not available here: @tensorflow\/tfjs-node is not installed; npm install @tensorflow\/tfjs-node/);
    expect(plain.wasm).toEqual({ name: 'wasm' });
    expect(plain.cpu).toEqual({ name: 'cpu' });

    // the GPU package loads but there is no GPU (no nvidia-smi on this PATH): refused, not accepted
    const noGpu = runSnippet(code, { NODE_PATH: fakeGpuPackage(path.join(tmp, 'fake-gpu')), PATH: path.dirname(process.execPath) }).json;
    expect(noGpu['tensorflow-gpu'].error).toMatch(/tensorflow-gpu backend is not available here: @tensorflow\/tfjs-node-gpu: loaded, but nvidia-smi finds no GPU/);
  });

  it('makes `shiwake train --backend` fail with the reason instead of training on another backend', async () => {
    const root = path.join(tmp, 'data');
    for (const c of ['A', 'B']) for (let i = 0; i < 3; i++) await writeImage(path.join(root, c, `${i}.png`), { width: 8, height: 8, format: 'png', seed: i + (c === 'A' ? 0 : 10) });
    const projectDir = path.join(tmp, 'project');
    shiwakeJson(['import', root, '--project', projectDir]);
    for (const backend of ['tensorflow-gpu', 'tensorflow'].filter((b) => !installed(b === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu'))) {
      const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '8', '--epochs', '1', '--backend', backend]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`training failed: the ${backend} backend is not available here: @tensorflow/tfjs-node${backend === 'tensorflow-gpu' ? '-gpu' : ''} is not installed`));
      expect(r.stderr).not.toMatch(/Trained run/);
    }
  }, 240_000);
});

describe('the backend probe', () => {
  it('answers train.backend in the studio without loading TensorFlow.js into the engine process, and remembers the answer on disk', async () => {
    const root = path.join(tmp, 'probe-data');
    await writeImage(path.join(root, 'A', '0.png'), { width: 8, height: 8, format: 'png' });
    const projectDir = path.join(tmp, 'probe-project');
    shiwakeJson(['import', root, '--project', projectDir]);
    const home = path.join(tmp, 'home');
    const code = `
      import { createRequire } from 'node:module';
      import { Studio } from './src-main/engine/studio/studio.ts';
      const studio = new Studio({ mode: 'browser', version: 'test' }, () => {});
      const opened = await studio.handle('project.open', { dir: ${JSON.stringify(projectDir)} });
      const backend = await studio.handle('train.backend', {});
      const info = await studio.handle('app.info', {});
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@tensorflow'));
      console.log(JSON.stringify({ opened: opened.ok, backend, appBackend: info.value.backend, loaded, engine: '_tfengine' in globalThis }));
      process.exit(0);`;
    const first = runSnippet(code, { SHIWAKE_HOME: home });
    expect(first.json.opened).toBe(true);
    expect(first.json.backend).toMatchObject({ ok: true, value: { name: installed('@tensorflow/tfjs-node') ? 'tensorflow' : 'wasm' } });
    expect(first.json.appBackend).toBe(first.json.backend.value.label);
    expect(first.json.loaded).toEqual([]);
    expect(first.json.engine).toBe(false);
    const cache = JSON.parse(fs.readFileSync(path.join(home, 'backend-probe.json'), 'utf8'));
    expect(cache.info.name).toBe(first.json.backend.value.name);

    // the next process answers from the file: no TensorFlow.js anywhere, same answer
    fs.writeFileSync(path.join(home, 'backend-probe.json'), JSON.stringify({ ...cache, info: { ...cache.info, label: 'from the cache' } }));
    const second = runSnippet(code, { SHIWAKE_HOME: home });
    expect(second.json.backend.value).toMatchObject({ name: cache.info.name, label: 'from the cache' });
    // a changed key (another Node, other packages) probes again
    fs.writeFileSync(path.join(home, 'backend-probe.json'), JSON.stringify({ ...cache, key: 'other', info: { ...cache.info, label: 'stale' } }));
    const third = runSnippet(code, { SHIWAKE_HOME: home });
    expect(third.json.backend.value.label).not.toBe('stale');

    // shiwake doctor loads the backends itself and corrects the remembered answer (CUDA libraries installed since, which the key cannot see)
    fs.writeFileSync(path.join(home, 'backend-probe.json'), JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(home, 'backend-probe.json'), 'utf8')), info: { ...cache.info, label: 'outdated' } }));
    const doctor = spawnSync(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'doctor', '--json'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', SHIWAKE_HOME: home } });
    expect(doctor.status, doctor.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(home, 'backend-probe.json'), 'utf8')).info.label).toBe(JSON.parse(doctor.stdout).label);
  }, 240_000); // four fresh Node processes, three of them loading TensorFlow.js: slow on a loaded machine
});

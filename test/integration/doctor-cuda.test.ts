/**
 * `shiwake doctor --json` tells the truth about the CUDA path: the GPU, driver and compute
 * capability from nvidia-smi (a stand-in script here, first on the PATH), which of the CUDA 11
 * and cuDNN 8 libraries libtensorflow 2.9.1 loads are found, and the steps to fix the rest;
 * and without nvidia-smi, that there is no NVIDIA driver.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { fakeGpuPackage } from '../fixtures/fakeGpu.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const LIBS = ['libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcurand.so.10', 'libcusolver.so.11', 'libcusparse.so.11', 'libcudnn.so.8'];

function doctor(env: NodeJS.ProcessEnv): any {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'doctor', '--json'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', SHIWAKE_HOME: path.join(tmp, 'home'), ...env } });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('shiwake doctor --json on the CUDA path', () => {
  it('reports the GPU, driver, compute capability, each library and the steps, with nvidia-smi on the PATH', () => {
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'nvidia-smi'), '#!/bin/sh\necho "NVIDIA H200, 570.86.15, 9.0"\n', { mode: 0o755 });
    const libs = path.join(tmp, 'cuda-libs');
    fs.mkdirSync(libs, { recursive: true });
    fs.writeFileSync(path.join(libs, 'libcudart.so.11.0'), '');
    const report = doctor({ PATH: `${bin}${path.delimiter}${process.env.PATH}`, LD_LIBRARY_PATH: libs, CUDA_CACHE_PATH: path.join(tmp, 'cuda-cache') });
    expect(report.cuda).toMatchObject({ nvidia_smi: true, nvidia_smi_error: null, gpus: [{ name: 'NVIDIA H200', driver_version: '570.86.15', compute_capability: '9.0' }], jit: true, cache_path: path.join(tmp, 'cuda-cache') });
    expect(report.cuda.libraries.map((l: { name: string }) => l.name)).toEqual(LIBS);
    expect(report.cuda.libraries[0]).toEqual({ name: 'libcudart.so.11.0', path: path.join(libs, 'libcudart.so.11.0'), loadable: true });
    for (const name of LIBS.slice(1)) expect(report.cuda.missing).toContain(name);
    expect(report.cuda.missing).not.toContain('libcudart.so.11.0');
    const steps = report.cuda.steps.join('\n');
    expect(steps).toMatch(/cuda-libraries-11-2/);
    expect(steps).toMatch(/libcudnn8=8\.1/);
    expect(steps).toMatch(/compute capability 9\.0.*PTX/);
  });

  it('says there is no NVIDIA driver when nvidia-smi is not on the PATH', () => {
    const report = doctor({ PATH: path.dirname(process.execPath) });
    expect(report.cuda).toMatchObject({ nvidia_smi: false, nvidia_smi_error: expect.stringMatching(/not on the PATH/), gpus: [], jit: false });
    expect(report.cuda.libraries).toHaveLength(8);
    expect(report.cuda.steps[0]).toMatch(/^No NVIDIA driver/);
    expect(report).toHaveProperty('adapter');
  });
});

describe('the first run on a CUDA GPU', () => {
  it('says it is preparing GPU kernels (first run only), once per GPU, with the CUDA cache under the chosen folder', async () => {
    const root = path.join(tmp, 'data');
    for (const c of ['A', 'B']) for (let i = 0; i < 3; i++) await writeImage(path.join(root, c, `${i}.png`), { width: 8, height: 8, format: 'png', seed: i + (c === 'A' ? 0 : 10) });
    const projectDir = path.join(tmp, 'project');
    shiwakeJson(['import', root, '--project', projectDir]);
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'nvidia-smi'), '#!/bin/sh\necho "NVIDIA H200, 570.86.15, 9.0"\n', { mode: 0o755 });
    const cache = path.join(tmp, 'cuda-cache');
    const env = { ...process.env, NODE_OPTIONS: '', NODE_PATH: fakeGpuPackage(path.join(tmp, 'fake-gpu')), PATH: `${bin}${path.delimiter}${process.env.PATH}`, CUDA_CACHE_PATH: cache, SHIWAKE_HOME: path.join(tmp, 'home') };
    const train = (): any[] => {
      const r = spawnSync(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '8', '--epochs', '1', '--backend', 'tensorflow-gpu', '--json'], { cwd: REPO, encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    };
    const first = train();
    expect(first[0]).toMatchObject({ type: 'start', backend: 'CUDA GPU (NVIDIA H200)' });
    expect(first[1]).toMatchObject({ type: 'preparing', gpu: 'NVIDIA H200', message: 'preparing GPU kernels for NVIDIA H200 (first run only, can take many minutes)' });
    expect(fs.readdirSync(cache)).toEqual(['shiwake-ready-NVIDIA_H200']);
    expect(train().some((e) => e.type === 'preparing')).toBe(false);
  }, 180_000);
});

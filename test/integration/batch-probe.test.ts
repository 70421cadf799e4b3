/**
 * `--batch-size auto` (issue 13): the search for the largest batch that fits, under a
 * simulated device memory on the CPU backend (a step whose peak tensor memory, as
 * TensorFlow.js counts it, is over the limit fails as out of memory); out-of-memory errors
 * told apart from the others; the answer cached in <SHIWAKE_HOME>/batch-probe.json and used
 * the second time; and `shiwake train --batch-size auto` finishing tiny runs whose last JSON
 * line carries the batch, how it was chosen, and the accumulation `--effective-batch` asks for.
 * On WebGPU (SwiftShader, as in webgpu.test.ts) a real device limit: with WebGPU's default
 * limits (buffers of 256 MiB, bindings of 128 MiB) a step whose input is over them fails in
 * Dawn's validation, caught in an error scope, and the device goes on working. Running a
 * software adapter out of its memory would take the machine's RAM, so the limit is the test.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { autoBatch, tryStep } from '../../src-main/engine/train/batchProbe.js';
import { batchCacheFile, isOutOfMemory, largestThatFits, OutOfMemory } from '../../src-main/engine/train/batchSearch.js';
import { buildModel } from '../../src-main/engine/train/models.js';
import { makeOptimizer, resolveTrainOptions } from '../../src-main/engine/train/schedule.js';
import { initBackend, tf } from '../../src-main/engine/train/tf.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { requireSystem, tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
process.env.SHIWAKE_HOME = path.join(tmp, 'home'); // the CLI runs inherit it
const IMAGE = 8;
const CLASSES = 2;

/** The peak tensor bytes of one training step of the tiny model at each size (no limit). */
async function peaks(sizes: number[]): Promise<Record<number, number>> {
  const model = buildModel('small-cnn', { classes: CLASSES, imageSize: IMAGE });
  const optimizer = makeOptimizer(resolveTrainOptions({ model: 'small-cnn' }, IMAGE)).optimizer;
  const out: Record<number, number> = {};
  for (const size of sizes) out[size] = (await tryStep(model, optimizer, size, CLASSES, 0.1, Number.MAX_SAFE_INTEGER)).peakBytes!;
  optimizer.dispose();
  model.dispose();
  return out;
}

describe('the search for the largest batch that fits', () => {
  const fitsUpTo = (limit: number) => async (size: number) => {
    if (size > limit) throw new OutOfMemory(`${size} > ${limit}`);
  };

  it('grows by doubling, bisects on multiples of 8, and reports the next size up that failed', async () => {
    expect(await largestThatFits(fitsUpTo(100), 4096)).toEqual({
      chosen: 96, failedAt: 104,
      tried: [8, 16, 32, 64, 128, 96, 112, 104].map((size) => ({ size, ok: size <= 100 })),
    });
    // below 8 it goes one by one; at the cap nothing failed
    expect(await largestThatFits(fitsUpTo(5), 4096)).toMatchObject({ chosen: 5, failedAt: 6 });
    expect(await largestThatFits(fitsUpTo(10_000), 300)).toMatchObject({ chosen: 300, failedAt: null });
    await expect(largestThatFits(fitsUpTo(0), 4096)).rejects.toThrow(/not even a batch of 1 fits/);
  });

  it('stops at an error that is not out of memory instead of taking it for a size that does not fit', async () => {
    const tried: number[] = [];
    const attempt = async (size: number) => {
      tried.push(size);
      if (size > 8) throw new Error('Error in matMul: inner shapes (12) and (13) of Tensors with shapes [4,12] and [13,2] must match');
    };
    await expect(largestThatFits(attempt, 4096)).rejects.toThrow(/inner shapes/);
    expect(tried).toEqual([8, 16]);
  });

  it('recognises each backend\'s out-of-memory message, and nothing else', () => {
    for (const m of [
      'OOM when allocating tensor with shape[512,64,112,112] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc',
      'ResourceExhaustedError: failed to allocate memory',
      'RangeError: Array buffer allocation failed',
      'RangeError: Invalid typed array length: 4294967296',
      'Aborted(Cannot enlarge memory arrays to size 4294967296 bytes (OOM))',
      'WebGPU: Buffer size (4294967296) exceeds the max buffer size limit (2147483648).',
      'CUDA_ERROR_OUT_OF_MEMORY: out of memory',
    ]) expect(isOutOfMemory(new Error(m)), m).toBe(true);
    for (const m of ['Error in matMul: inner shapes must match', 'Kernel Conv2DBackpropFilter not registered for backend wasm', 'the dataset is empty']) expect(isOutOfMemory(new Error(m)), m).toBe(false);
  });
});

describe('the memory probe under a simulated limit (WASM backend)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('returns a size that runs, the next size up fails, and the second time it comes from the cache', async () => {
    const p = await peaks([1, 8, 16, 17, 24]);
    // memory grows with the batch; the limit lies between 16 and 17 examples
    expect(p[8]!).toBeGreaterThan(p[1]!);
    expect(p[24]!).toBeGreaterThan(p[17]!);
    const limit = Math.floor((p[16]! + p[17]!) / 2);
    let builds = 0;
    const setup = {
      backend: { name: 'wasm' as const, label: 'test', device: null, faster: null, skipped: [] },
      build: async () => (builds++, buildModel('small-cnn', { classes: CLASSES, imageSize: IMAGE })),
      options: resolveTrainOptions({ model: 'small-cnn', imageSize: IMAGE }, IMAGE),
      classes: CLASSES, trainSize: 1000, memoryLimit: limit,
    };
    const first = await autoBatch(setup);
    expect(first).toEqual({ batchSize: 16, probe: { method: 'memory', chosen: 16, failed_at: 24, cached: false } });
    expect(builds).toBe(1);

    // the chosen size runs under the limit; the reported failure fails as out of memory, and so does the next size up from 16
    const model = buildModel('small-cnn', { classes: CLASSES, imageSize: IMAGE });
    const optimizer = makeOptimizer(setup.options).optimizer;
    expect((await tryStep(model, optimizer, 16, CLASSES, 0.1, limit)).peakBytes).toBeLessThanOrEqual(limit);
    await expect(tryStep(model, optimizer, 24, CLASSES, 0.1, limit)).rejects.toBeInstanceOf(OutOfMemory);
    await expect(tryStep(model, optimizer, 17, CLASSES, 0.1, limit)).rejects.toThrow(/over the simulated limit/);
    optimizer.dispose();
    model.dispose();

    const cache = JSON.parse(fs.readFileSync(batchCacheFile(), 'utf8'));
    expect(Object.values(cache.entries)).toContainEqual(expect.objectContaining({ method: 'memory', chosen: 16, failed_at: 24 }));
    const second = await autoBatch(setup);
    expect(second).toEqual({ batchSize: 16, probe: { method: 'memory', chosen: 16, failed_at: 24, cached: true } });
    expect(builds).toBe(1); // no model built, no step taken
    // a training set smaller than the batch that fits caps it
    expect((await autoBatch({ ...setup, trainSize: 12 })).batchSize).toBe(12);
  });
});

describe('shiwake train --batch-size auto', () => {
  const projectDir = path.join(tmp, 'project');
  beforeAll(async () => {
    const root = path.join(tmp, 'data');
    for (const [k, name] of ['Dark', 'Light'].entries()) {
      fs.mkdirSync(path.join(root, name), { recursive: true });
      for (let i = 0; i < 12; i++) await sharp({ create: { width: IMAGE, height: IMAGE, channels: 3, background: { r: 40 + k * 170 + i, g: 40 + k * 170, b: 40 + k * 170 } } }).png().toFile(path.join(root, name, `${i}.png`));
    }
    shiwakeJson(['import', root, '--project', projectDir]);
    shiwakeJson(['split', '--project', projectDir, '--validation', '0.25', '--seed', '3']);
  });
  const train = (extra: string[], env: Record<string, string> = {}) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', String(IMAGE), '--epochs', '1', '--batch-size', 'auto', '--json', ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  };

  it('on the CPU chooses by speed, finishes, and says so in the start event and the last JSON line; the second run uses the cache', () => {
    const lines = train([]);
    const start = lines.find((l) => l.type === 'start');
    const last = lines[lines.length - 1];
    expect(last).toMatchObject({ state: 'done', batch_size: expect.any(Number), effective_batch: last.batch_size, batch_probe: { method: 'speed', chosen: expect.any(Number), failed_at: null, cached: false } });
    expect(start).toMatchObject({ batchSize: last.batch_size, effectiveBatch: last.batch_size, batchProbe: last.batch_probe });
    const again = train([]);
    expect(again[again.length - 1]).toMatchObject({ batch_size: last.batch_size, batch_probe: { method: 'speed', chosen: last.batch_probe.chosen, cached: true } });
  });

  it('under a simulated memory limit finds the largest that fits, and --effective-batch accumulates up to the batch asked for', async () => {
    await initBackend('wasm');
    const p = await peaks([8, 16]);
    const lines = train(['--backend', 'wasm', '--effective-batch', '20'], { SHIWAKE_TEST_BATCH_MEMORY_LIMIT: String(Math.floor((p[8]! + p[16]!) / 2)) });
    const last = lines[lines.length - 1];
    // 8 fits, 16 does not; 20 examples per step take ceil(20 / 8) = 3 batches
    expect(last).toMatchObject({ state: 'done', backend: expect.stringMatching(/WASM/), batch_size: 8, effective_batch: 24, batch_probe: { method: 'memory', chosen: 8, failed_at: 16, cached: false } });
    expect(lines.find((l) => l.type === 'preparing')?.message).toMatch(/finding the largest batch that fits/);
    const runs = shiwakeJson(['runs', '--project', projectDir]);
    expect(runs.find((r: { run: string }) => r.run === last.run).options).toMatchObject({ batchSize: 8, accumulate: 3, effectiveBatch: 20, batchProbe: { chosen: 8, failed_at: 16 } });
  });

  it('resumes an auto run at the batch it chose, without probing again', () => {
    // a run that fails at its first step, after the probe: its stored options hold the batch as a number
    process.env.SHIWAKE_TEST_FAIL_AT_STEP = '1';
    try {
      expect(shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', String(IMAGE), '--epochs', '1', '--batch-size', 'auto', '--json']).code).toBe(1);
    } finally {
      delete process.env.SHIWAKE_TEST_FAIL_AT_STEP;
    }
    const { run, options } = shiwakeJson(['runs', '--project', projectDir])[0];
    expect(options).toMatchObject({ batchSize: expect.any(Number), batchProbe: { method: 'speed' } });
    const resumed = shiwake(['train', '--project', projectDir, '--resume', run, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const lines = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.type === 'preparing')).toBe(false); // no probe
    expect(lines[lines.length - 1]).toMatchObject({ run, state: 'done', batch_size: options.batchSize, batch_probe: options.batchProbe });
  });

  it('refuses --accumulate with --effective-batch, and a batch size that is neither auto nor a whole number', () => {
    const both = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--accumulate', '2', '--effective-batch', '64']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--accumulate or --effective-batch, not both/);
    const bad = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--batch-size', 'big']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--batch-size must be auto or a whole number/);
  });
});

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const libvulkan = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some((f) => fs.existsSync(f));
const swiftshader = requireSystem("chromium's SwiftShader Vulkan driver (chromium) and the Vulkan loader (libvulkan1)", fs.existsSync(ICD) && libvulkan);

describe.runIf(swiftshader)('the memory probe on WebGPU (SwiftShader, default device limits)', () => {
  it('finds the largest batch under the device limit, reports the next size failing, and the device still trains', async () => {
    process.env.VK_ICD_FILENAMES = ICD;
    process.env.XDG_RUNTIME_DIR ??= tmp;
    process.env.SHIWAKE_TEST_WEBGPU_DEFAULT_LIMITS = '1';
    const backend = await initBackend('webgpu');
    expect(backend.name).toBe('webgpu');
    // 48 MiB of pixels per example and next to no arithmetic: 2 fit a 128 MiB binding, 3 do not
    const build = async () => {
      const input = tf.input({ shape: [2048, 2048, 3] });
      const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: CLASSES }).apply(pooled) as tf.SymbolicTensor });
    };
    const options = resolveTrainOptions({ model: 'small-cnn', imageSize: 2048 }, 2048);
    const found = await autoBatch({ backend, build, options, classes: CLASSES, trainSize: 100 });
    expect(found).toEqual({ batchSize: 2, probe: { method: 'memory', chosen: 2, failed_at: 3, cached: false } });
    // the failure is Dawn's, and the device survives it
    const model = await build();
    const optimizer = makeOptimizer(options).optimizer;
    await expect(tryStep(model, optimizer, 3, CLASSES, 0.1)).rejects.toThrow(/WebGPU: Binding size \(150994944\).* is larger than the maximum storage buffer binding size/);
    await expect(tryStep(model, optimizer, 2, CLASSES, 0.1)).resolves.toEqual({ peakBytes: null });
    optimizer.dispose();
    model.dispose();
  }, 180_000);
});

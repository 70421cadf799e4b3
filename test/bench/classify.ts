/**
 * Classify benchmark: the small CNN (32 px) and MobileNetV2 (224 and 96 px) with random
 * weights, saved the way training saves a run and registered in a generated project, then
 * used through the PredictionService as the studio and the CLI use it:
 *   - single-file latency (one file per call, decoding included) after warm-up, split into
 *     decode, model and the hops between engine, predictor process and worker thread;
 *   - folder throughput with 1 worker and with one per core, beside PyTorch CPU (PIL decoding,
 *     torch.set_num_threads = our workers) on the same files in the same run;
 *   - evaluation throughput on N imported items (10,000 by default);
 *   - peak memory (VmHWM) of the predictor process, worker threads included.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { decodeForClassification } from '../../src-main/engine/images/classifyInput.js';
import { centralCrop } from '../../src-main/engine/images/modelInput.js';
import { PredictionService } from '../../src-main/engine/predict/service.js';
import { Project } from '../../src-main/engine/project.js';
import { buildModel, type ModelName } from '../../src-main/engine/train/models.js';
import { saveModel } from '../../src-main/engine/train/modelIO.js';
import { initBackend } from '../../src-main/engine/train/tf.js';
import { benchDir, fmt, median, percentile, REPO, row } from './util.js';

const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const CLASSES = 10;
const BATCH = 16; // the predictor's batch per worker
const PHOTOS = 256;

interface Case {
  model: ModelName;
  size: number;
  /** single-file calls timed, and files in the folder throughput */
  calls: number;
  folder: number;
  latencyGoalMs?: number;
}

const CASES: Case[] = [
  { model: 'small-cnn', size: 32, calls: 100, folder: 256, latencyGoalMs: 20 },
  { model: 'mobilenet-v2', size: 224, calls: 40, folder: 32, latencyGoalMs: 100 },
  { model: 'mobilenet-v2', size: 96, calls: 60, folder: 64 },
];

type Peaks = [string, number | undefined][];

const runId = (c: Case): string => `bench-${c.model}-${c.size}`;

/** Peak resident memory of a live process (threads included), from /proc. */
function peakMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : undefined;
}

/** CPU time (user + system, all threads) of a live process in ms, from /proc (100 ticks a second). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined || !fs.existsSync(`/proc/${pid}/stat`)) return NaN;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime and stime are fields 14 and 15
}

/** Photo-like JPEGs (smooth gradients plus grain) at 320x240, what a person drops in to classify. */
async function makePhotos(dir: string): Promise<string[]> {
  const files = Array.from({ length: PHOTOS }, (_, i) => path.join(dir, `photo-${String(i).padStart(3, '0')}.jpg`));
  if (fs.existsSync(path.join(dir, '.complete'))) return files;
  fs.mkdirSync(dir, { recursive: true });
  const [w, h] = [320, 240];
  for (let i = 0; i < PHOTOS; i++) {
    const px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, ((x * (c + 1) + y * (3 - c) + i * 37) % 256) + (((x * 7919 + y * 104729 + i * 31 + c) % 23) - 11)));
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toFile(files[i]!);
  }
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return files;
}

/** n small JPEGs (64x48 to 120x76) in CLASSES category folders, for the evaluation. */
async function makeItems(root: string, n: number): Promise<void> {
  if (fs.existsSync(path.join(root, '.complete'))) return;
  fs.rmSync(root, { recursive: true, force: true });
  const bases = await Promise.all(
    Array.from({ length: 8 }, (_, k) => {
      const [w, h] = [64 + k * 8, 48 + k * 4];
      const px = Buffer.alloc(w * h * 3);
      for (let p = 0; p < w * h * 3; p++) px[p] = (p * (k + 3) + ((p * 7919) % 41)) % 256;
      return sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
    }),
  );
  for (let k = 0; k < CLASSES; k++) fs.mkdirSync(path.join(root, `cat-${k}`), { recursive: true });
  for (let i = 0; i < n; i++) {
    // a comment segment makes each file distinct without another encode
    const base = bases[i % bases.length]!;
    const comment = Buffer.from(`shiwake bench ${i}`);
    const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, comment.length + 2]), comment]);
    fs.writeFileSync(path.join(root, `cat-${i % CLASSES}`, `${i}.jpg`), Buffer.concat([base.subarray(0, 2), com, base.subarray(2)]));
  }
  fs.writeFileSync(path.join(root, '.complete'), '');
}

/** A run row in state done with a freshly built (untrained) model saved as training saves it. */
async function registerRun(project: Project, id: string, model: ModelName, size: number, labels: string[]): Promise<void> {
  const built = buildModel(model, { classes: labels.length, imageSize: size });
  await saveModel(built, path.join(project.dir, 'runs', id, 'model'), {
    'labels.json': labels,
    'preprocessing.json': { imageSize: size, channels: 3, scale: '[-1, 1] as x / 127.5 - 1', evalCrop: 0.875, resize: 'fill', output: 'logits' },
  });
  built.dispose();
  project.runs.create(id, model, { model, imageSize: size, bench: true });
  project.runs.setState(id, 'done', { pid: null });
}

function torch(args: string[]): Record<string, number> | undefined {
  const r = spawnSync(PYTHON, [path.join(REPO, 'test/bench/torch_infer.py'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`  (PyTorch failed: ${r.stderr.trim().split('\n').at(-1)})`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim()) as Record<string, number>;
}

async function latency(project: Project, c: Case, photos: string[], peaks: Peaks): Promise<void> {
  const service = new PredictionService(); // as the studio makes it: one worker per core
  const { predictor } = await service.open(project, runId(c));
  if (c === CASES[0]) row('predictor backend (the active one)', `${predictor.backend.label}, ${predictor.workers} workers for single files`);
  const call = (file: string) => service.classifyFiles(project, [{ file }], { run: runId(c) });
  for (let i = 0; i < 5; i++) await call(photos[photos.length - 1 - i]!);
  const total: number[] = [];
  const worker: number[] = [];
  const cpu0 = cpuMs(predictor.pid);
  for (let i = 0; i < c.calls; i++) {
    const t = performance.now();
    const answer = await call(photos[i % photos.length]!);
    total.push(performance.now() - t);
    const r = answer.results[0]!;
    if (!('top' in r)) throw new Error(`${r.file}: ${'error' in r ? r.error : 'no answer'}`);
    worker.push(r.ms);
  }
  const cpu = (cpuMs(predictor.pid) - cpu0) / c.calls;
  peaks.push([`${c.model} ${c.size}px, ${predictor.workers} workers, single files`, peakMiB(predictor.pid)]);
  service.close();
  // decoding alone, here in the bench process (one libuv thread per call, as in the worker)
  const crop = centralCrop(0.875);
  const decode: number[] = [];
  const decodeCpu0 = process.cpuUsage();
  for (let i = 0; i < c.calls; i++) {
    const t = performance.now();
    await decodeForClassification(photos[i % photos.length]!, null, c.size, crop);
    decode.push(performance.now() - t);
  }
  const used = process.cpuUsage(decodeCpu0);
  const decodeCpu = (used.user + used.system) / 1000 / c.calls;
  const [p50, p95] = [percentile(total, 50), percentile(total, 95)];
  const goal = c.latencyGoalMs ? `  goal < ${c.latencyGoalMs} ms: ${p50 < c.latencyGoalMs ? 'met' : 'MISSED'}` : '';
  row(`${c.model} ${c.size}px: one file per call, p50 / p95`, `${fmt(p50, 1)} / ${fmt(p95, 1)} ms${goal}`);
  const [w50, d50] = [percentile(worker, 50), percentile(decode, 50)];
  row(`  of which decode / model / IPC and bookkeeping (p50)`, `${fmt(d50, 1)} / ${fmt(Math.max(0, w50 - d50), 1)} / ${fmt(Math.max(0, p50 - w50), 1)} ms`);
  row(`  CPU time per call: predictor (all threads) / decode alone`, `${fmt(cpu, 1)} / ${fmt(decodeCpu, 1)} ms`);
}

async function folder(project: Project, c: Case, photos: string[], workers: number, runs: number, peaks: Peaks): Promise<{ perSec: number; cpu: number }> {
  const files = photos.slice(0, c.folder).map((file) => ({ file }));
  const service = new PredictionService({ workers });
  const { predictor } = await service.open(project, runId(c));
  const loaded = peakMiB(predictor.pid);
  await service.classifyFiles(project, files.slice(0, BATCH * workers), { run: runId(c) }); // every worker's first batch
  const times: number[] = [];
  const cpu0 = cpuMs(predictor.pid);
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const answer = await service.classifyFiles(project, files, { run: runId(c) });
    times.push((performance.now() - t) / 1000);
    const bad = answer.results.find((x) => 'error' in x);
    if (bad) throw new Error(`${bad.file}: ${'error' in bad ? bad.error : ''}`);
  }
  const cpu = (cpuMs(predictor.pid) - cpu0) / (runs * files.length);
  peaks.push([`${c.model} ${c.size}px, ${workers} worker${workers > 1 ? 's' : ''}, folder (after loading: ${fmt(loaded ?? 0)})`, peakMiB(predictor.pid)]);
  service.close();
  return { perSec: files.length / median(times), cpu };
}

/** The folder through the predictor directly, in batches of `batch`: throughput and peak memory. */
async function batchProbe(project: Project, c: Case, photos: string[], workers: number, batch: number): Promise<{ perSec: number; cpu: number; peak?: number }> {
  const files = photos.slice(0, c.folder).map((file) => ({ file, format: null }));
  const service = new PredictionService({ workers });
  const { predictor } = await service.open(project, runId(c));
  await predictor.predict(files.slice(0, batch * workers), 5, undefined, batch);
  const t = performance.now();
  const cpu0 = cpuMs(predictor.pid);
  await predictor.predict(files, 5, undefined, batch);
  const perSec = files.length / ((performance.now() - t) / 1000);
  const cpu = (cpuMs(predictor.pid) - cpu0) / files.length;
  const peak = peakMiB(predictor.pid);
  service.close();
  return { perSec, cpu, peak };
}

export async function benchClassify(n: number, runs: number): Promise<void> {
  const cores = os.availableParallelism();
  const base = benchDir('classify');
  const photos = await makePhotos(path.join(base, 'photos'));
  const itemsRoot = path.join(base, `items-${n}`);
  await makeItems(itemsRoot, n);
  const projectDir = path.join(base, `project-${n}`);
  fs.rmSync(projectDir, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'import', itemsRoot, '--project', projectDir, '--json'], { stdio: 'ignore' });
  const project = Project.open(projectDir);
  const labels = project.categories.all().map((cat) => cat.name).filter((name) => /^cat-\d+$/.test(name)).sort();
  if (labels.length !== CLASSES) throw new Error(`expected ${CLASSES} categories after the import, got ${labels.join(', ')}`);
  await initBackend('wasm'); // only to build and save the models here; the predictor picks its own
  for (const c of CASES) await registerRun(project, runId(c), c.model, c.size, labels);
  const haveTorch = spawnSync(PYTHON, ['-c', 'import torch, PIL'], { encoding: 'utf8' }).status === 0;
  const list = path.join(base, 'photos.txt');
  const peaks: Peaks = [];

  console.log(`\nclassify: load average ${os.loadavg().map((l) => fmt(l, 1)).join(' ')} on ${cores} cores at the start; random weights, ${CLASSES} classes; 320x240 JPEGs, decoding included; median of ${runs} runs${haveTorch ? '' : ' (PyTorch missing: apt-get install python3-torch python3-pil)'}`);
  for (const c of CASES) {
    await latency(project, c, photos, peaks);
    if (haveTorch) {
      fs.writeFileSync(list, photos.join('\n'));
      const t = torch(['latency', c.model, String(c.size), '1', String(c.calls), list]);
      if (t) row(`  PyTorch CPU (PIL, 1 thread), p50 / p95 (decode p50; CPU)`, `${fmt(t.p50_ms!, 1)} / ${fmt(t.p95_ms!, 1)} ms (${fmt(t.decode_p50_ms!, 1)}; ${fmt(t.cpu_ms_per_call!, 1)} ms)`);
    }
  }
  for (const c of CASES) {
    fs.writeFileSync(list, photos.slice(0, c.folder).join('\n'));
    for (const workers of [...new Set([1, cores])]) {
      const ours = await folder(project, c, photos, workers, runs, peaks);
      const ref = haveTorch ? torch(['folder', c.model, String(c.size), String(workers), String(BATCH), list, String(runs)]) : undefined;
      const label = `${c.model} ${c.size}px: folder of ${c.folder}, ${workers} worker${workers > 1 ? 's' : ''}`;
      row(label, `${fmt(ours.perSec, 1)} images/s, CPU ${fmt(ours.cpu, 1)} ms/image`);
      if (ref) {
        const ratio = ours.perSec / ref.images_per_sec!;
        row(`  PyTorch CPU, ${workers} thread${workers > 1 ? 's' : ''}`, `${fmt(ref.images_per_sec!, 1)} images/s, CPU ${fmt(ref.cpu_ms_per_image!, 1)} ms/image`);
        row(`  ratio ours / PyTorch: images/s (CPU ms per image)`, `${fmt(ratio, 2)} (${fmt(ours.cpu / ref.cpu_ms_per_image!, 2)})  goal >= 0.5: ${ratio >= 0.5 ? 'met' : 'MISSED'}`);
      }
    }
  }

  // where the predictor's memory goes: the same folder in smaller batches (the engine sends 16)
  const big = CASES[1]!;
  const probe = await batchProbe(project, big, photos, cores, 4);
  row(`${big.model} ${big.size}px: folder, ${cores} workers, batches of 4 (not 16)`, `${fmt(probe.perSec, 1)} images/s, CPU ${fmt(probe.cpu, 1)} ms/image, peak ${fmt(probe.peak ?? 0)} MiB`);

  // evaluation: a fresh run (copy of the small CNN) per repetition, so every item is predicted
  const small = CASES[0]!;
  const ids = project.items.activeIds();
  const evals: number[] = [];
  const evalCpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const id = `bench-eval-${r}`;
    fs.cpSync(path.join(projectDir, 'runs', runId(small), 'model'), path.join(projectDir, 'runs', id, 'model'), { recursive: true });
    project.runs.create(id, small.model, { bench: true });
    project.runs.setState(id, 'done', { pid: null });
    const service = new PredictionService();
    const { predictor } = await service.open(project, id);
    const cpu0 = cpuMs(predictor.pid);
    const result = await service.evaluate(project, id, ids, {});
    evalCpu.push((cpuMs(predictor.pid) - cpu0) / ids.length);
    if (result.predicted !== ids.length || result.failed.length > 0) throw new Error(`evaluation predicted ${result.predicted} of ${ids.length} (${result.failed[0]?.error ?? ''})`);
    evals.push(ids.length / result.seconds);
    if (r === 0) peaks.push([`${small.model} ${small.size}px, ${predictor.workers} workers, evaluation`, peakMiB(predictor.pid)]);
    service.close();
  }
  row(`evaluation: ${fmt(ids.length)} items, ${small.model} ${small.size}px, ${cores} workers`, `${fmt(median(evals))} images/s (stored with top-5), CPU ${fmt(median(evalCpu), 1)} ms/image`);
  for (const [label, mib] of peaks) row(`predictor peak memory: ${label}`, mib === undefined ? 'unknown (no /proc)' : `${fmt(mib)} MiB`);
  const peak = Math.max(...peaks.map(([, mib]) => mib ?? 0));
  row('load average at the end', os.loadavg().map((l) => fmt(l, 1)).join(' '));
  row('predictor peak memory, largest', `${fmt(peak)} MiB  goal < 1,024 MiB: ${peak < 1024 ? 'met' : 'MISSED'}`);
  project.close();
}

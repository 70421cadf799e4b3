/**
 * Near-duplicate index benchmark (`npm run bench -- --only duplicates [--n 1000000]`): seeded,
 * clustered, L2-normalised 256-d vectors (like a run's embeddings), indexed by each candidate
 * approximate nearest-neighbour package; build time (wall and CPU), query p50/p95 (k = 10, one
 * query at a time), recall@10 against exact search on 1,000 queries, and peak RSS (VmHWM).
 * Each candidate runs in its own process, so one's memory does not count against another.
 * Shiwake's choice, usearch (src-main/engine/review/annIndex.ts), always runs; hnswlib-node
 * runs when installed (`npm install --no-save hnswlib-node@3.0.0`: it compiles with node-gyp).
 * faiss-node 0.5.1 is not measured: its install downloads a binary from GitHub and, without
 * internet, clones faiss and fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AnnIndex, exactNeighbours } from '../../src-main/engine/review/annIndex.js';
import { rng } from '../../src-main/shared/random.js';
import { fmt, percentile, REPO, row } from './util.js';

const DIM = 256;
const K = 10;
const QUERIES = 1000;

export async function benchDuplicates(n: number): Promise<void> {
  console.log(`\nnear duplicates: ${fmt(n)} clustered ${DIM}-d vectors, k = ${K}, ${QUERIES} queries`);
  for (const candidate of ['usearch', 'hnswlib-node']) {
    const r = spawnSync(process.execPath, [path.join(REPO, 'bin/run-ts.mjs'), 'test/bench/duplicates.ts', '--child', candidate, '--n', String(n)], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      row(candidate, `failed (exit ${r.status}) ${line}`);
      continue;
    }
    const m = JSON.parse(line) as Measured | { skipped: string };
    if ('skipped' in m) {
      row(candidate, `skipped: ${m.skipped}`);
      continue;
    }
    row(
      `${candidate}`,
      `build ${fmt(m.buildSeconds, 1)} s (CPU ${fmt(m.buildCpuSeconds, 1)} s), query p50 ${fmt(m.p50Ms, 3)} ms p95 ${fmt(m.p95Ms, 3)} ms, recall@10 ${fmt(m.recall, 4)}, peak RSS ${fmt(m.peakMiB)} MiB (vectors alone ${fmt((n * DIM * 4) / 2 ** 20)} MiB)`,
    );
  }
}

interface Measured {
  buildSeconds: number;
  buildCpuSeconds: number;
  p50Ms: number;
  p95Ms: number;
  recall: number;
  peakMiB: number;
}

interface Candidate {
  build(vectors: Float32Array): Promise<void>;
  query(vector: Float32Array): number[];
}

async function candidate(name: string): Promise<Candidate | string> {
  if (name === 'usearch') {
    const index = new AnnIndex(DIM);
    return { build: (v) => index.addAll(v), query: (q) => Array.from(index.search(q, K).keys) };
  }
  let hnswlib: { HierarchicalNSW: new (space: string, dim: number) => any };
  try {
    // HNSWLIB_NODE: where it was installed, when not in this repository's node_modules
    hnswlib = createRequire(import.meta.url)(process.env.HNSWLIB_NODE ?? name);
  } catch {
    return `${name} is not installed (npm install --no-save ${name}@3.0.0)`;
  }
  const index = new hnswlib.HierarchicalNSW('ip', DIM);
  return {
    async build(v) {
      const n = v.length / DIM;
      index.initIndex({ maxElements: n, m: 16, efConstruction: 128, randomSeed: 100 });
      // hnswlib-node takes plain arrays, one point per call, on one thread
      for (let i = 0; i < n; i++) index.addPoint(Array.from(v.subarray(i * DIM, (i + 1) * DIM)), i);
      index.setEf(64);
    },
    query: (q) => index.searchKnn(Array.from(q), K).neighbors as number[],
  };
}

async function child(name: string, n: number): Promise<void> {
  const vectors = clusteredVectors(n, DIM, Math.max(10, Math.floor(n / 100)), 42);
  const c = await candidate(name);
  if (typeof c === 'string') return void console.log(JSON.stringify({ skipped: c }));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await c.build(vectors);
  const buildSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const rnd = rng(7);
  const picks = Array.from({ length: QUERIES }, () => Math.floor(rnd() * n));
  const times: number[] = [];
  const found: number[][] = [];
  for (const q of picks) {
    const s = performance.now();
    found.push(c.query(vectors.subarray(q * DIM, (q + 1) * DIM)));
    times.push(performance.now() - s);
  }
  const peakMiB = peakRssMiB();
  const queries = new Float32Array(QUERIES * DIM);
  picks.forEach((q, i) => queries.set(vectors.subarray(q * DIM, (q + 1) * DIM), i * DIM));
  const truth = exactNeighbours(vectors, queries, DIM, K);
  let hits = 0;
  found.forEach((got, i) => {
    const t = new Set(truth.keys.subarray(i * K, (i + 1) * K));
    for (const key of got) if (t.has(key)) hits++;
  });
  const m: Measured = {
    buildSeconds,
    buildCpuSeconds: (cpu.user + cpu.system) / 1e6,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    recall: hits / (QUERIES * K),
    peakMiB,
  };
  console.log(JSON.stringify(m));
}

/** the process's peak resident memory (Linux VmHWM), else the current RSS */
function peakRssMiB(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss / 2 ** 20;
}

/** points scattered around `clusters` random centres (cosine to their centre about 0.9), unit length */
export function clusteredVectors(n: number, dim: number, clusters: number, seed: number): Float32Array {
  const rnd = rng(seed);
  let spare: number | null = null;
  const gauss = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rnd();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * rnd();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
  const centres = new Float32Array(clusters * dim).map(() => gauss() / Math.sqrt(dim));
  const out = new Float32Array(n * dim);
  const spread = 0.5 / Math.sqrt(dim);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rnd() * clusters) * dim;
    const o = i * dim;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const x = centres[c + j]! + spread * gauss();
      out[o + j] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[o + j]! *= inv;
  }
  return out;
}

if (process.argv.includes('--child')) {
  const { values } = parseArgs({ options: { child: { type: 'string' }, n: { type: 'string' } } });
  await child(values.child!, Number(values.n));
}

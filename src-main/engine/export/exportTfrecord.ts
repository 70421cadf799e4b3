/**
 * TFRecord export in the layout of TensorFlow's inception scripts: train-NNNNN-of-NNNNN and
 * validation-NNNNN-of-NNNNN shards, labels.txt, and a manifest. Shards are written in
 * parallel (shardWriter.ts: verified JPEGs pass through at the disk's speed), each to a temporary name, fsync'ed and renamed when complete, so a killed export
 * never leaves a partial shard under a final name; a re-run with the same options keeps the
 * finished shards and writes the rest.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Progress } from '../../shared/types.js';
import { verifyUndecoded } from '../dataset/verify.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import { writeAtomically } from '../files.js';
import type { Split } from '../db/repos/plan.js';
import { shuffled } from '../../shared/random.js';
import { selectForExport, splitUnsplitItems, type ExportRecord } from '../dataset/selection.js';
import { shardName, shardRanges } from './shards.js';
import { ChunkBuffers, writeShard, type ShardInfo } from './shardWriter.js';
import { checkOutFolder, claimOutFolder, removeEarlierExport, writeMarker } from './outFolder.js';
import { LIMITS } from '../../shared/limits.js';
import { breather } from '../jobs/breathe.js';

export interface TfrecordOptions {
  out: string;
  trainShards?: number;
  validationShards?: number;
  maxSide?: number;
  seed?: number;
  /** JPEG quality for re-encoded images (the reference uses 100) */
  quality?: number;
  /** shards written at once */
  parallel?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export type { ShardInfo } from './shardWriter.js';

export interface TfrecordManifest {
  format: 'tfrecord';
  created_at: string;
  project: string;
  options: { train_shards: number; validation_shards: number; max_side: number | null; seed: number; jpeg_quality: number };
  labels: string[];
  shards: ShardInfo[];
  splits: Record<Split, { records: number; per_label: Record<string, number> }>;
  passed_through: number;
  re_encoded: number;
  left_out: { excluded: number; broken: number; missing: number; balance_plan: number; failed: { path: string; reason: string }[] };
  /** images this export had to decode first (not yet checked by the thumbnail job), and those that failed (now broken, left out) */
  verified_now: VerifiedNow;
  state: 'done' | 'cancelled';
}

export interface VerifiedNow {
  images: number;
  broken: { path: string; reason: string }[];
  seconds: number;
}

const IMAGES_PER_SHARD = 1024;

export async function exportTfrecord(project: Project, options: TfrecordOptions): Promise<TfrecordManifest> {
  const seed = options.seed ?? 42;
  const quality = options.quality ?? 100;
  checkOutFolder(options.out); // refuse a folder of someone else's files before the long work
  // every image passed through must have been decoded whole once: do it now for those not yet
  const verified = await verifyUndecoded(project, { signal: options.signal, onProgress: options.onProgress });
  await splitUnsplitItems(project, options.signal);
  const selection = selectForExport(project);
  const plan = (['train', 'validation'] as const).map((split) => {
    const records = shuffled(selection.records[split], seed);
    const asked = split === 'train' ? options.trainShards : options.validationShards;
    const count = asked ?? Math.max(1, Math.ceil(records.length / IMAGES_PER_SHARD));
    const most = Math.min(LIMITS.shards, Math.max(1, records.length));
    if (!Number.isInteger(count) || count < 1 || count > most) {
      throw new Error(`the number of ${split} shards must be a whole number from 1 to ${most} (${records.length} ${split} records, at least one per shard; got ${asked})`);
    }
    return { split, records, count };
  });
  const opts = { train_shards: plan[0]!.count, validation_shards: plan[1]!.count, max_side: options.maxSide ?? null, seed, jpeg_quality: quality };
  const fingerprint = crypto.createHash('sha256').update(JSON.stringify({ opts, labels: selection.labels, records: plan.map((p) => p.records.map((r) => r.itemId)) })).digest('hex');

  const jobs = plan.flatMap(({ split, records, count }) =>
    shardRanges(records.length, count).map(([a, b], k) => ({ split, file: shardName(split, k, count), records: records.slice(a, b) })),
  );
  const done = claimForShards(options.out, fingerprint, [...jobs.map((j) => j.file), 'labels.txt', 'manifest.json']);
  const total = jobs.reduce((s, j) => s + j.records.length, 0);
  const meter = new ProgressMeter('writing shards', total);
  let written = jobs.filter((j) => done.has(j.file)).reduce((s, j) => s + j.records.length, 0);
  const failed: { path: string; reason: string }[] = [];
  const stats = { passed: 0, encoded: 0 };
  const shardInfos = new Map<string, ShardInfo>();
  for (const info of done.values()) shardInfos.set(info.file, info);

  const root = project.datasetRoot;
  const queue = jobs.filter((j) => !done.has(j.file));
  let next = 0;
  // chunks of pass-through records can resolve without touching the event loop: make room for others' requests
  const breathe = breather(1);
  const buffers = new ChunkBuffers();
  const worker = async (): Promise<void> => {
    while (next < queue.length && !options.signal?.aborted) {
      const job = queue[next++]!;
      const info = await writeShard(path.join(options.out, job.file), job.split, job.records, {
        root,
        encode: { maxSide: options.maxSide, quality },
        facts: (ids) => project.items.exportFacts(ids),
        stats,
        failed,
        onRecords: (n) => {
          written += n;
          options.onProgress?.(meter.update(written));
          return breathe();
        },
        signal: options.signal,
        buffers,
      });
      if (!info) break;
      shardInfos.set(job.file, info);
      done.set(job.file, info);
      saveState();
    }
  };
  // the marker lists finished shards for a resume; rewriting it after each of thousands of
  // shards would cost more than the shards, so at most twice a second (and at the end)
  let savedAt = 0;
  const files = [...jobs.map((j) => j.file), 'labels.txt', 'manifest.json'];
  const saveState = (force = false): void => {
    if (!force && performance.now() - savedAt < 500) return;
    savedAt = performance.now();
    writeMarker(options.out, { format: 'tfrecord', files, state: 'writing', fingerprint, shards: [...done.values()] });
  };
  // two shards at once: one shard already overlaps its reads with its writes, and a second keeps
  // sharp busy where records need converting; more only adds read buffers
  await Promise.all(Array.from({ length: Math.min(options.parallel ?? 2, Math.max(1, queue.length)) }, worker));
  saveState(true);
  options.onProgress?.(meter.update(written));

  const cancelled = options.signal?.aborted === true && jobs.some((j) => !done.has(j.file));
  const shards = jobs.map((j) => shardInfos.get(j.file)).filter((s): s is ShardInfo => s !== undefined);
  const manifest: TfrecordManifest = {
    format: 'tfrecord',
    created_at: new Date().toISOString(),
    project: project.dir,
    options: opts,
    labels: selection.labels,
    shards,
    splits: { train: sumSplit(shards, 'train'), validation: sumSplit(shards, 'validation') },
    passed_through: stats.passed,
    re_encoded: stats.encoded,
    left_out: { excluded: selection.leftOut.excluded, broken: selection.leftOut.broken, missing: selection.leftOut.missing, balance_plan: selection.leftOut.balance, failed },
    verified_now: { images: verified.decoded, broken: verified.broken, seconds: verified.seconds },
    state: cancelled ? 'cancelled' : 'done',
  };
  if (!cancelled) {
    writeAtomically(path.join(options.out, 'labels.txt'), selection.labels.map((l) => `${l}\n`).join(''));
    writeAtomically(path.join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    writeMarker(options.out, { format: 'tfrecord', files, state: 'done', fingerprint, shards });
  }
  return manifest;
}

function sumSplit(shards: ShardInfo[], split: Split): { records: number; per_label: Record<string, number> } {
  const perLabel: Record<string, number> = {};
  let records = 0;
  for (const s of shards.filter((x) => x.split === split)) {
    records += s.records;
    for (const [k, v] of Object.entries(s.per_label)) perLabel[k] = (perLabel[k] ?? 0) + v;
  }
  return { records, per_label: perLabel };
}

/**
 * Claims the folder (see outFolder.ts) and returns the shards a killed or cancelled run of the
 * same export finished; everything else an earlier export of ours left there is removed.
 */
function claimForShards(out: string, fingerprint: string, files: string[]): Map<string, ShardInfo> {
  const earlier = claimOutFolder(out);
  const keep = new Map<string, ShardInfo>();
  if (earlier?.format === 'tfrecord' && earlier.fingerprint === fingerprint) {
    for (const s of earlier.shards ?? []) if (fs.existsSync(path.join(out, s.file))) keep.set(s.file, s);
  }
  removeEarlierExport(out, earlier, new Set(keep.keys()));
  writeMarker(out, { format: 'tfrecord', files, state: 'writing', fingerprint, shards: [...keep.values()] });
  return keep;
}

/**
 * A run's batch per step and its gradient accumulation: `--batch-size auto` asks batchProbe.ts,
 * `--effective-batch N` accumulates ceil(N / batch) batches per step (the learning rate then
 * scales as accumulate.ts does). The answer is written into the run's stored options, so the
 * studio shows it and a resumed run trains on the same batch without probing again.
 */
import type { BatchProbe, TrainOptions } from '../../shared/training.js';
import type { Project } from '../project.js';
import { autoBatch } from './batchProbe.js';
import { DEFAULT_IMAGE_SIZE, type ModelName } from './models.js';
import { buildRunModel } from './runModel.js';
import { resolveTrainOptions } from './schedule.js';
import type { BackendInfo } from './tf.js';

export interface RunBatch {
  batchSize: number;
  accumulate: number;
  /** how an auto batch was chosen (null: the batch was given) */
  probe: BatchProbe | null;
}

/** Test hook: a simulated device memory in bytes, so the memory probe runs (and fails above it) on the CPU backends. */
function simulatedMemoryLimit(): number | undefined {
  const raw = process.env.SHIWAKE_TEST_BATCH_MEMORY_LIMIT;
  if (!raw) return undefined;
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`SHIWAKE_TEST_BATCH_MEMORY_LIMIT must be a number of bytes (got "${raw}")`);
  return n;
}

/** The batch and the accumulation for a run about to train (options as given, 'auto' or not). */
export async function chooseBatch(project: Project, run: string, raw: TrainOptions, backend: BackendInfo, classes: number, trainSize: number, say: (message: string) => void): Promise<RunBatch> {
  const options = resolveTrainOptions(raw, DEFAULT_IMAGE_SIZE[raw.model as ModelName]);
  let probe: BatchProbe | null = raw.batchProbe ?? null;
  if (raw.batchSize === 'auto') {
    const auto = await autoBatch({
      backend, options, classes, trainSize, workers: raw.workers, memoryLimit: simulatedMemoryLimit(), onProbe: say,
      // the run's own model, built the same way but thrown away after the probe
      build: () => buildRunModel(options, classes),
    });
    options.batchSize = auto.batchSize;
    probe = auto.probe;
  }
  if (raw.effectiveBatch !== undefined && !(Number.isInteger(raw.effectiveBatch) && raw.effectiveBatch >= 1)) throw new Error(`effectiveBatch must be a whole number from 1 (got ${raw.effectiveBatch})`);
  const accumulate = raw.effectiveBatch !== undefined ? Math.ceil(raw.effectiveBatch / options.batchSize) : (raw.accumulate ?? 1);
  if (raw.batchSize === 'auto' || raw.effectiveBatch !== undefined) project.runs.setOptions(run, { ...raw, batchSize: options.batchSize, accumulate, ...(probe ? { batchProbe: probe } : {}) });
  return { batchSize: options.batchSize, accumulate, probe };
}

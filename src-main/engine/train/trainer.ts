/**
 * The training loop, run inside the trainer process: builds or resumes the model, feeds it
 * batches, records loss, top-1/top-5, learning rate and images/s every N steps and every
 * epoch (SQLite, TensorBoard events, and events to the parent), checkpoints each epoch and
 * on stop, and saves the final model with its labels and preprocessing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appliedPlan } from '../dataset/balance.js';
import { itemFile } from '../dataset/sources.js';
import { selectForExport, splitUnsplitItems } from '../dataset/selection.js';
import type { Project } from '../project.js';
import { EventWriter } from './events.js';
import { rollUpLabels } from './levels.js';
import { accumulating } from './accumulate.js';
import { chooseBatch } from './runBatch.js';
import { DEFAULT_IMAGE_SIZE, type ModelName } from './models.js';
import { buildRunModel } from './runModel.js';
import { loadModel, saveModel } from './modelIO.js';
import { labelMismatch, readCheckpointState, ResumeRefused, restoreCheckpoint, writeCheckpoint, type CheckpointState } from './checkpoint.js';
import { batchCount, batches, EVAL_CROP, type Sample } from './pipeline.js';
import { PixelCache } from './pixelCache.js';
import { jitPending, markJitDone } from './cuda.js';
import { resolveWorkers, workersLabel } from './parallel/layout.js';
import { ParallelTrainer } from './parallel/pool.js';
import { evalLoss, stepLoss, topKHits } from './parallel/loss.js';
import { initBackend, tf, type BackendInfo } from './tf.js';
import { cachedFeatures, evaluateFeatures, featureBatches, splitTransferModel } from './cachedFeatures.js';
import { trainingMode } from '../../shared/transfer.js';
import type { BatchProbe, TrainEvent, TrainOptions } from '../../shared/training.js';
import { learningRateAt, makeOptimizer, resolveTrainOptions } from './schedule.js';

export interface TrainerIO {
  emit(event: TrainEvent): void;
  stopRequested(): boolean;
  /** why it stopped, when not at the user's request */
  stopReason?(): string | undefined;
}

export interface TrainResult {
  run: string;
  state: 'done' | 'stopped';
  model_dir: string;
  top1: number | null;
  top5: number | null;
  backend: string;
  /** the tree level trained at (null: the leaves) */
  level: number | null;
  batch_size: number;
  /** batch_size x accumulate: the batch one optimizer step sees */
  effective_batch: number;
  /** how --batch-size auto chose the batch (null: it was given) */
  batch_probe: BatchProbe | null;
  /** from scratch, fine-tuning the last N backbone layers, frozen backbone (head on cached features) */
  mode: string;
}

export function runDir(project: Project, run: string): string {
  return path.join(project.dir, 'runs', run);
}

/** The training and validation samples, labelled at `level` of the tree (the leaves when absent). */
export async function samplesFor(project: Project, level?: number): Promise<{ labels: string[]; train: Sample[]; validation: Sample[] }> {
  await splitUnsplitItems(project);
  const selection = selectForExport(project);
  const root = project.datasetRoot;
  const images = project.items.activeImages();
  const rolled = rollUpLabels(selection.labels, level);
  const toSample = (r: { itemId: number; path: string; label: number }): Sample => {
    const image = images.get(r.itemId);
    return { file: itemFile(root, r.path), format: image?.format ?? null, width: image?.width ?? undefined, height: image?.height ?? undefined, label: rolled.indexOf[r.label - 1]! };
  };
  return { labels: rolled.labels, train: selection.records.train.map(toSample), validation: selection.records.validation.map(toSample) };
}

export async function train(project: Project, run: string, rawOptions: TrainOptions, io: TrainerIO, resume = false): Promise<TrainResult> {
  const backend: BackendInfo = await initBackend(rawOptions.backend);
  const dir = runDir(project, run);
  const checkpointDir = path.join(dir, 'checkpoint');
  const { labels, train: trainSet, validation } = await samplesFor(project, rawOptions.level);
  if (labels.length < 2) throw new Error(`training needs at least 2 categories with active items (found ${labels.length}${rawOptions.level ? ` at level ${rawOptions.level}` : ''})`);
  if (trainSet.length === 0) throw new Error('no training items: import a dataset and keep some items active');
  // --batch-size auto and --effective-batch become numbers here (and in the run's stored options, for a resume)
  const batch = await chooseBatch(project, run, rawOptions, backend, labels.length, trainSet.length, (message) => io.emit({ type: 'preparing', run, gpu: backend.device ?? backend.label, message }));
  rawOptions = { ...rawOptions, batchSize: batch.batchSize, accumulate: batch.accumulate };
  const options = resolveTrainOptions(rawOptions, DEFAULT_IMAGE_SIZE[rawOptions.model as ModelName]);
  // the head on cached features is one small matrix product per batch: worker threads would cost more than they save
  const workers = options.cacheFeatures ? 1 : resolveWorkers(rawOptions.workers, backend.name, options.batchSize);
  const mode = trainingMode(options);
  const label = workersLabel(backend.label, workers);
  let stepsPerEpoch = batchCount(trainSet.length, options.batchSize);
  let totalSteps = options.epochs * stepsPerEpoch;

  let model: tf.LayersModel;
  let state: CheckpointState = { epoch: 0, step: 0, stepInEpoch: 0 };
  const scheduled = accumulating(makeOptimizer(options), batch.accumulate);
  const optimizer = scheduled.optimizer;
  const saved = resume ? readCheckpointState(checkpointDir) : null;
  // a run killed before its first epoch ended has nothing to resume from: it starts over, and says so
  const stalePlan = appliedPlan(project)?.stale;
  const note = [
    resume && !saved ? `run ${run} has no checkpoint yet (it ended before its first epoch finished): training starts again from step 0` : '',
    options.cacheFeatures ? `frozen backbone, head on cached features: the backbone's features of each image are computed once (the whole image, no augmentation) and kept in runs/${run}/features until the run is done` : '',
    // the plan is followed as stored, but the user should know it no longer balances what is trained on
    stalePlan ? `the applied balance plan is stale (${stalePlan.slice(0, 3).join('; ')}${stalePlan.length > 3 ? `; and ${stalePlan.length - 3} more` : ''}): training follows it as stored; re-plan in Balance or with shiwake balance --replan` : '',
  ].filter(Boolean).join('\n') || undefined;
  if (saved) {
    ({ model, state } = await restoreCheckpoint(checkpointDir, optimizer));
    const mismatch = labelMismatch(state.labels, model.outputs[0]!.shape[1] as number, labels);
    if (mismatch) throw new ResumeRefused(`cannot resume run ${run}: ${mismatch}, and its outputs are numbered by category name, so it would go on training on shifted labels. Undo the change, or start a new run`);
  } else {
    model = await buildRunModel(options, labels.length);
  }
  const inputSize = model.inputs[0]!.shape[1] as number;
  if (inputSize !== options.imageSize) options.imageSize = inputSize; // a backbone decides its input size
  const pixels = new PixelCache(options.imageSize); // small images stay decoded between epochs
  // the gradient workers (one replica each) start from the model as built or restored
  const parallel = workers > 1 ? await ParallelTrainer.start(model, backend.name, workers, options.batchSize) : null;
  project.runs.setState(run, 'running', { backend: label, pid: process.pid, message: null });
  if (resume) project.runs.dropMetricsAfter(run, state.step);
  const trainEvents = new EventWriter(path.join(dir, 'train'));
  const validationEvents = new EventWriter(path.join(dir, 'validation'));
  io.emit({ type: 'start', run, backend: label, workers, model: options.model, labels: labels.length, train: trainSet.length, validation: validation.length, stepsPerEpoch, totalSteps, resumedAt: state.step, batchSize: options.batchSize, effectiveBatch: options.batchSize * batch.accumulate, ...(batch.probe ? { batchProbe: batch.probe } : {}), mode, ...(note ? { note } : {}) });

  const jit = backend.name === 'tensorflow-gpu' && backend.device && jitPending(backend.device) ? backend.device : null;
  if (jit) io.emit({ type: 'preparing', run, gpu: jit, message: `preparing GPU kernels for ${jit} (first run only, can take many minutes)` });
  const checkpoint = (s: Omit<CheckpointState, 'labels'>): Promise<void> => writeCheckpoint(checkpointDir, model, optimizer, { ...s, labels });

  let step = state.step;
  let last = { top1: null as number | null, top5: null as number | null };
  const k = Math.min(5, labels.length);
  const started = performance.now();
  let stopped = false;
  const skipped = new Set<string>();
  const onSkip = (file: string, reason: string): void => {
    if (skipped.size < 1000 && !skipped.has(file)) process.stderr.write(`left out of training (cannot be decoded): ${file}: ${reason}\n`);
    skipped.add(file);
  };
  // cached features: the head trains on the backbone's outputs, computed once (or read back on resume)
  const split = options.cacheFeatures ? splitTransferModel(model) : null;
  const cache = split && (await cachedFeatures(path.join(dir, 'features'), options.backbone!, split.features, split.width, { train: trainSet, validation }, options.imageSize, options.batchSize, { run, emit: io.emit, stopRequested: io.stopRequested, onSkip }, pixels));
  if (split && !cache) stopped = true;
  if (cache) {
    stepsPerEpoch = batchCount(cache.train.count, options.batchSize); // the images that decoded
    totalSteps = options.epochs * stepsPerEpoch;
  }
  for (let epoch = state.epoch; epoch < options.epochs && !stopped; epoch++) {
    const skip = epoch === state.epoch ? state.stepInEpoch : 0;
    let window = { loss: 0, top1: 0, top5: 0, n: 0, batches: 0, t: performance.now() };
    let stepInEpoch = skip;
    // the epoch's figures under the same tags as validation's, so TensorBoard overlays train/ and validation/ (as Keras writes them)
    const epochSum = { loss: 0, top1: 0, top5: 0, n: 0 };
    const seed = options.seed + epoch * 7919;
    const source = cache ? featureBatches(cache.train, options.batchSize, seed, skip) : batches(trainSet, { batchSize: options.batchSize, imageSize: options.imageSize, train: true, seed, skip, onSkip, augment: options.augment, cache: pixels });
    for await (const batch of source) {
      scheduled.learningRate = learningRateAt(options, step, epoch, totalSteps);
      const stats = split ? await trainStep(split.head, optimizer, batch, labels.length, options.labelSmoothing, k) : parallel ? await parallel.step(optimizer, batch, labels.length, options.labelSmoothing, k) : await trainStep(model, optimizer, batch, labels.length, options.labelSmoothing, k);
      if (jit && step === state.step) markJitDone(jit);
      step++;
      stepInEpoch++;
      window = { ...window, loss: window.loss + stats.loss * batch.size, top1: window.top1 + stats.top1, top5: window.top5 + stats.top5, n: window.n + batch.size, batches: window.batches + 1 };
      Object.assign(epochSum, { loss: epochSum.loss + stats.loss * batch.size, top1: epochSum.top1 + stats.top1, top5: epochSum.top5 + stats.top5, n: epochSum.n + batch.size });
      if (rawOptions.failAtStep !== undefined && step === rawOptions.failAtStep) throw new Error(`backend error (simulated at step ${step} for a test)`);
      if (step % options.logEvery === 0 || stepInEpoch === stepsPerEpoch) {
        const seconds = (performance.now() - window.t) / 1000;
        const m = { loss: window.loss / window.n, top1: window.top1 / window.n, top5: window.top5 / window.n, lr: scheduled.learningRate, imagesPerSec: window.n / seconds };
        const eta = ((performance.now() - started) / 1000 / Math.max(1, step - state.step)) * (totalSteps - step);
        project.runs.addMetric(run, { kind: 'train', step, epoch: epoch + stepInEpoch / stepsPerEpoch, loss: m.loss, top1: m.top1, top5: m.top5, lr: m.lr, images_per_sec: m.imagesPerSec });
        project.runs.progress(run, epoch, step, totalSteps);
        trainEvents.scalars(step, { loss: m.loss, top1: m.top1, [`top${k}`]: m.top5, learning_rate: m.lr, images_per_sec: m.imagesPerSec });
        io.emit({ type: 'step', run, epoch: epoch + 1, epochs: options.epochs, step, totalSteps, ...m, eta });
        window = { loss: 0, top1: 0, top5: 0, n: 0, batches: 0, t: performance.now() };
      }
      if (io.stopRequested()) {
        stopped = true;
        await checkpoint({ epoch, step, stepInEpoch });
        break;
      }
    }
    if (stopped) break;
    const v = cache ? await evaluateFeatures(split!.head, cache.validation, options.batchSize, labels.length, k) : await evaluate(model, validation, { imageSize: options.imageSize, batchSize: options.batchSize, classes: labels.length, k, parallel, evalCrop: EVAL_CROP[options.augment], cache: pixels, flipAverage: options.flipAverage });
    last = { top1: v.top1, top5: v.top5 };
    project.runs.addMetric(run, { kind: 'validation', step, epoch: epoch + 1, loss: v.loss, top1: v.top1, top5: v.top5, lr: scheduled.learningRate, images_per_sec: null });
    if (epochSum.n > 0) trainEvents.scalars(epoch + 1, { epoch_loss: epochSum.loss / epochSum.n, epoch_accuracy: epochSum.top1 / epochSum.n, [`epoch_top${k}`]: epochSum.top5 / epochSum.n });
    if (v.top1 !== null) validationEvents.scalars(epoch + 1, { epoch_loss: v.loss ?? 0, epoch_accuracy: v.top1, [`epoch_top${k}`]: v.top5 ?? 0 });
    trainEvents.flush();
    validationEvents.flush();
    await checkpoint({ epoch: epoch + 1, step, stepInEpoch: 0 });
    project.runs.setState(run, 'running', { top1: v.top1, top5: v.top5 });
    io.emit({ type: 'epoch', run, epoch: epoch + 1, epochs: options.epochs, step, totalSteps, val_loss: v.loss, val_top1: v.top1, val_top5: v.top5 });
  }
  trainEvents.close();
  validationEvents.close();
  await parallel?.close();

  const modelDir = path.join(dir, 'model');
  if (!stopped) {
    await saveModel(model, modelDir, {
      'labels.json': labels,
      'preprocessing.json': { imageSize: options.imageSize, channels: 3, scale: '[-1, 1] as x / 127.5 - 1', evalCrop: EVAL_CROP[options.augment], flipAverage: options.flipAverage, resize: 'fill', output: 'logits: apply softmax for probabilities (shiwake classify does)' },
      'training.json': { run, model: options.model, options, backend: label, workers, level: rawOptions.level ?? null, mode },
    });
    fs.rmSync(path.join(dir, 'features'), { recursive: true, force: true }); // a finished run resumes no more: its feature cache is spent
  }
  const state2 = stopped ? 'stopped' : 'done';
  project.runs.setState(run, state2, { top1: last.top1, top5: last.top5, message: stopped ? `${io.stopReason?.() ? `${io.stopReason()}: ` : ''}stopped at step ${step}; resume continues from there` : null, pid: null });
  return { run, state: state2, model_dir: modelDir, top1: last.top1, top5: last.top5, backend: label, level: rawOptions.level ?? null, batch_size: options.batchSize, effective_batch: options.batchSize * batch.accumulate, batch_probe: batch.probe, mode };
}

/**
 * Reads a step's loss and top-k hits back without blocking: the WebGPU backend has no
 * synchronous read in Node (its dataSync needs a browser canvas), so every read here is async.
 */
async function readStats(loss: tf.Scalar, logits: tf.Tensor2D, labels: Int32Array, k: number): Promise<{ loss: number; top1: number; top5: number }> {
  try {
    const [l, hits] = await Promise.all([loss.data(), topKHits(logits, labels, k)]);
    return { loss: l[0]!, ...hits };
  } finally {
    tf.dispose([loss, logits]);
  }
}

function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, batch: { xs: Float32Array; labels: Int32Array; size: number }, classes: number, smoothing: number, k: number) {
  const [loss, logits] = tf.tidy(() => {
    const imageSize = model.inputs[0]!.shape[1] as number;
    // images, or a cached-features run's feature vectors for its head
    const shape = model.inputs[0]!.shape.length === 2 ? [batch.size, model.inputs[0]!.shape[1] as number] : [batch.size, imageSize, imageSize, 3];
    const xs = tf.tensor(batch.xs, shape);
    const ys = tf.tensor1d(batch.labels, 'int32');
    let logits: tf.Tensor2D | undefined;
    const loss = optimizer.minimize(() => {
      const step = stepLoss(model, xs, ys, classes, smoothing); // the same loss the gradient workers compute
      logits = tf.keep(step.logits);
      return step.loss;
    }, true)!;
    return [loss, logits!] as const;
  });
  return readStats(loss, logits, batch.labels, k);
}

/** On the gradient workers when there are some (`parallel`): validation is a forward pass per image, spread as training is. */
export interface EvaluateOptions {
  imageSize: number;
  batchSize: number;
  classes: number;
  k: number;
  parallel?: ParallelTrainer | null;
  /** the central crop's share of each side (default the reference's) */
  evalCrop?: number;
  cache?: PixelCache;
  /** average each image's probabilities with its mirror image's (evalLoss) */
  flipAverage?: boolean;
}

export async function evaluate(model: tf.LayersModel, samples: Sample[], { imageSize, batchSize, classes, k, parallel, evalCrop = EVAL_CROP.inception, cache, flipAverage = false }: EvaluateOptions) {
  if (samples.length === 0) return { loss: null, top1: null, top5: null };
  let loss = 0;
  let top1 = 0;
  let top5 = 0;
  for await (const batch of batches(samples, { batchSize, imageSize, train: false, seed: 0, evalCrop, cache })) {
    if (parallel) {
      const r = await parallel.evaluate(batch, classes, k, flipAverage);
      loss += r.loss * batch.size;
      top1 += r.top1;
      top5 += r.top5;
      continue;
    }
    const [l, logits] = tf.tidy(() => {
      const xs = tf.tensor4d(batch.xs, [batch.size, imageSize, imageSize, 3]);
      const { loss, logits } = evalLoss(model, xs, tf.tensor1d(batch.labels, 'int32'), classes, flipAverage);
      return [loss, logits] as const;
    });
    const r = await readStats(l, logits, batch.labels, k);
    loss += r.loss * batch.size;
    top1 += r.top1;
    top5 += r.top5;
  }
  return { loss: loss / samples.length, top1: top1 / samples.length, top5: top5 / samples.length };
}

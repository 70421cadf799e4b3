import { startTrainer } from '../../engine/train/runner.js';
import { trainedRuns } from '../../engine/predict/backbone.js';
import { cudaReport } from '../../engine/train/cuda.js';
import { rememberBackend } from '../../engine/train/probe.js';
import { transferProblem } from '../../shared/transfer.js';
import { AUGMENT_NAMES, SCHEDULE_NAMES, type BackendChoice, type BatchProbe, type OptimizerName, type ScheduleName, type TrainEvent, type TrainModel, type TrainOptions } from '../../shared/training.js';
import { jsonOption, optionalNumber, projectOption, withProject, type Command } from '../command.js';
import { formatCount, formatDuration, printJson, say, UsageError } from '../output.js';

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const positive = (n: number): boolean => n > 0;
const wholePositive = (n: number): boolean => Number.isInteger(n) && n > 0;

/** "64 (effective 256; auto: the largest that fits, 72 ran out of memory)" */
function batchText(batch: number, effective: number, probe: BatchProbe | null | undefined): string {
  const how = !probe ? '' : probe.method === 'memory' ? `auto: the largest that fits${probe.failed_at ? `, ${probe.failed_at} ran out of memory` : ''}` : `auto: the fastest${probe.workers ? `, ${Math.ceil(batch / probe.workers)} per worker thread` : ''}`;
  const parts = [effective !== batch ? `effective ${effective}` : '', how && `${how}${probe?.cached ? ', cached' : ''}`].filter(Boolean);
  return `${batch}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

function oneOf<T extends string>(values: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${String(v)}")`);
  return v as T;
}

function describe(e: TrainEvent): string | undefined {
  switch (e.type) {
    case 'start':
      return `run ${e.run}: ${e.model}${e.mode ? ` (${e.mode})` : ''} on ${e.backend}; ${formatCount(e.train)} training and ${formatCount(e.validation)} validation images, ${e.labels} categories, ${formatCount(e.totalSteps)} steps${e.batchSize ? `, batch ${batchText(e.batchSize, e.effectiveBatch ?? e.batchSize, e.batchProbe)}` : ''}${e.resumedAt ? `, resuming at step ${e.resumedAt}` : ''}${e.note ? e.note.split('\n').map((l) => `\nnote: ${l}`).join('') : ''}`;
    case 'step':
      return `epoch ${e.epoch}/${e.epochs} step ${formatCount(e.step)}/${formatCount(e.totalSteps)}  loss ${e.loss.toFixed(4)}  top-1 ${pct(e.top1)}  top-5 ${pct(e.top5)}  lr ${e.lr.toPrecision(3)}  ${formatCount(e.imagesPerSec)} images/s  ${formatDuration(e.eta)} left`;
    case 'preparing':
      return e.message;
    case 'features':
      return `backbone features ${formatCount(e.done)}/${formatCount(e.total)} images  ${formatCount(e.imagesPerSec)} images/s  ${formatDuration(e.eta)} left`;
    case 'epoch':
      return `epoch ${e.epoch}/${e.epochs} validation: loss ${e.val_loss?.toFixed(4) ?? '–'}  top-1 ${pct(e.val_top1)}  top-5 ${pct(e.val_top5)}`;
    default:
      return undefined;
  }
}

export const trainCommand: Command = {
  name: 'train',
  usage: 'shiwake train --project <dir> --model small-cnn|mobilenet-v2|inception-v3 [--image-size S] [--epochs E] [--batch-size auto|B] [--effective-batch N] [--optimizer rmsprop|adam|sgd] [--learning-rate LR] [--schedule constant|exponential|cosine|warmup-cosine] [--label-smoothing 0.1] [--backbone <path-or-url>] [--fine-tune-layers N] [--cache-features] [--augment inception|light|shift|none] [--flip-average on|off] [--backend wasm|cpu|tensorflow|tensorflow-gpu|webgpu] [--workers N] [--level N] [--accumulate K] [--name "<text>"] [--resume <run>] [--json]',
  summary: 'train a classifier on the split (and balance plan); Ctrl+C stops at a checkpoint, --resume continues',
  options: {
    ...projectOption, ...jsonOption, model: { type: 'string' }, 'image-size': { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
    optimizer: { type: 'string' }, 'learning-rate': { type: 'string' }, schedule: { type: 'string' }, 'label-smoothing': { type: 'string' }, backbone: { type: 'string' },
    'fine-tune-layers': { type: 'string' }, backend: { type: 'string' }, resume: { type: 'string' }, seed: { type: 'string' }, 'log-every': { type: 'string' }, alpha: { type: 'string' }, 'aux-head': { type: 'boolean' }, augment: { type: 'string' }, 'flip-average': { type: 'string' },
    level: { type: 'string' }, name: { type: 'string' }, accumulate: { type: 'string' }, 'cache-features': { type: 'boolean' },
    workers: { type: 'string' },
    'effective-batch': { type: 'string' },
  },
  run(values) {
    const resume = values.resume as string | undefined;
    const model = (resume && values.model === undefined ? 'small-cnn' : oneOf(values, 'model', ['small-cnn', 'mobilenet-v2', 'inception-v3'] as const)) as TrainModel | undefined;
    if (!model) throw new UsageError(`--model is required\nusage: ${this.usage}`);
    const options: TrainOptions = {
      model,
      imageSize: optionalNumber(values, 'image-size', wholePositive, 'a size in pixels'),
      epochs: optionalNumber(values, 'epochs', wholePositive, 'a whole number'),
      batchSize: values['batch-size'] === 'auto' ? 'auto' : optionalNumber(values, 'batch-size', wholePositive, 'auto or a whole number'),
      optimizer: oneOf<OptimizerName>(values, 'optimizer', ['rmsprop', 'adam', 'sgd']),
      learningRate: optionalNumber(values, 'learning-rate', positive, 'a positive number'),
      schedule: oneOf<ScheduleName>(values, 'schedule', SCHEDULE_NAMES),
      labelSmoothing: optionalNumber(values, 'label-smoothing', (n) => n >= 0 && n < 1, 'a number in [0, 1)'),
      backbone: values.backbone as string | undefined,
      fineTuneLayers: optionalNumber(values, 'fine-tune-layers', (n) => Number.isInteger(n) && n >= 0, 'a whole number'),
      cacheFeatures: values['cache-features'] === true ? true : undefined,
      backend: oneOf<BackendChoice>(values, 'backend', ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']),
      // data-parallel threads on the CPU backends (default: one per core there)
      workers: optionalNumber(values, 'workers', wholePositive, 'a whole number of worker threads'),
      seed: optionalNumber(values, 'seed', Number.isInteger, 'an integer'),
      logEvery: optionalNumber(values, 'log-every', wholePositive, 'a whole number of steps'),
      alpha: optionalNumber(values, 'alpha', positive, 'a positive number'),
      auxHead: values['aux-head'] === true ? true : undefined,
      augment: oneOf(values, 'augment', AUGMENT_NAMES),
      // evaluation and classify average each image with its mirror image (default: on for the small CNN trained with flips)
      flipAverage: oneOf(values, 'flip-average', ['on', 'off'] as const) === undefined ? undefined : values['flip-average'] === 'on',
      level: optionalNumber(values, 'level', wholePositive, 'a depth of the category tree from 1 (the top level)'),
      name: values.name as string | undefined,
      accumulate: optionalNumber(values, 'accumulate', wholePositive, 'a whole number of batches per step'),
      effectiveBatch: optionalNumber(values, 'effective-batch', wholePositive, 'a whole number of examples per step'),
    };
    const transfer = transferProblem(options);
    if (transfer) throw new UsageError(transfer);
    if (process.env.SHIWAKE_TEST_FAIL_AT_STEP) options.failAtStep = Number(process.env.SHIWAKE_TEST_FAIL_AT_STEP);
    // both say how many batches a step sums: one answer only
    if (options.accumulate !== undefined && options.effectiveBatch !== undefined) throw new UsageError('give --accumulate or --effective-batch, not both (--effective-batch N accumulates ceil(N / batch) batches)');
    return withProject(values, this, async (project) => {
      let preparing: NodeJS.Timeout | undefined;
      const handle = startTrainer(project, options, (e) => {
        if (preparing && e.type !== 'preparing') preparing = void clearInterval(preparing);
        if (e.type === 'preparing' && !values.json) {
          // the trainer is inside the CUDA driver's compiler and cannot speak: the elapsed time comes from here
          const started = Date.now();
          preparing = setInterval(() => process.stderr.write(`${e.message}: ${formatDuration((Date.now() - started) / 1000)} so far\n`), 15_000);
        }
        if (values.json) {
          if (e.type !== 'done') printJson(e);
        } else {
          const line = describe(e);
          if (line) process.stderr.write(`${line}\n`);
        }
      }, resume);
      const onSignal = (): void => {
        process.stderr.write('\nstopping: saving a checkpoint (resume with --resume ' + handle.run + ')\n');
        handle.stop();
      };
      // SIGTERM (kill, a service manager) stops at a checkpoint exactly like Ctrl+C
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const last = await handle.finished;
      clearInterval(preparing);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (last.type === 'error') throw new Error(`training failed: ${last.message} (run ${last.run}; the last checkpoint is kept)`);
      const summary = { run: last.run, model_dir: last.model_dir, top1: last.top1, top5: last.top5, backend: last.backend, state: last.state, level: last.level, batch_size: last.batch_size, effective_batch: last.effective_batch, batch_probe: last.batch_probe ?? null, mode: last.mode };
      if (values.json) printJson(summary);
      else say(`${last.state === 'done' ? 'Trained' : 'Stopped'} run ${last.run} on ${last.backend}: validation top-1 ${pct(last.top1)}, top-5 ${pct(last.top5)}${last.level ? ` at level ${last.level} of the tree` : ''}; batch ${batchText(last.batch_size, last.effective_batch, last.batch_probe)}${last.mode ? `; ${last.mode}` : ''}${last.state === 'done' ? `; model in ${last.model_dir}` : `; resume with --resume ${last.run}`}`);
      return last.state === 'done' ? 0 : 130;
    });
  },
};

export const runsCommand: Command = {
  name: 'runs',
  usage: 'shiwake runs --project <dir> [--json]',
  summary: 'training runs: state, model, progress and validation accuracy',
  options: { ...projectOption, ...jsonOption },
  run(values) {
    return withProject(values, this, (project) => {
      // a backbone's pseudo-run holds review embeddings, not a model: not listed among training runs
      const runs = trainedRuns(project).map((r) => ({
        run: r.id, model: r.model, state: r.state, backend: r.backend, epoch: r.epoch, step: r.step, total_steps: r.total_steps,
        top1: r.top1, top5: r.top5, message: r.message, created_at: r.created_at, options: JSON.parse(r.options) as TrainOptions, name: r.name, note: r.note,
      }));
      if (values.json) return printJson(runs);
      if (runs.length === 0) return say('No training runs yet: shiwake train --project <dir> --model small-cnn');
      for (const r of runs) say(`${r.run}${r.name ? `  "${r.name}"` : ''}  ${r.state.padEnd(8)} ${r.model.padEnd(13)}${r.options.level ? ` level ${r.options.level}` : ''} step ${formatCount(r.step)}/${formatCount(r.total_steps ?? 0)}  top-1 ${pct(r.top1)}  top-5 ${pct(r.top5)}  ${r.backend ?? ''}${r.message ? `  (${r.message})` : ''}${r.note ? `\n    note: ${r.note}` : ''}`);
    });
  },
};

export const doctorCommand: Command = {
  name: 'doctor',
  usage: 'shiwake doctor [--json]',
  summary: 'which training backend loads here, and what to install for a faster one',
  options: { ...jsonOption },
  async run(values) {
    // TF.js takes most of a second to load: only doctor (in this process) needs it
    const { initBackend } = await import('../../engine/train/tf.js');
    const info = await initBackend();
    rememberBackend(info); // the studio's remembered answer follows what doctor found
    const cuda = cudaReport();
    const report = { backend: info.name, label: info.label, gpu: info.device, adapter: info.adapter ?? null, faster: info.faster, skipped: info.skipped, cuda, node: process.version, platform: `${process.platform}-${process.arch}` };
    if (values.json) return printJson(report);
    say(`Training backend: ${info.label}`);
    for (const s of info.skipped) say(`  ${s.backend}: ${s.reason}`);
    if (info.faster) say(`Faster: ${info.faster}`);
    say(`NVIDIA: ${cuda.gpus.length ? cuda.gpus.map((g) => `${g.name}, driver ${g.driver_version}, compute capability ${g.compute_capability ?? 'unknown'}`).join('; ') : cuda.nvidia_smi_error}`);
    if (cuda.nvidia_smi) for (const l of cuda.libraries) say(`  ${l.name}: ${l.loadable ? l.path : l.path ? `${l.path} (not on LD_LIBRARY_PATH nor in the ldconfig cache)` : 'missing'}`);
    cuda.steps.forEach((s, i) => say(`${i + 1}. ${s}`));
  },
};


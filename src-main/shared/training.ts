/** Training options and progress events: shared by the trainer, the CLI and the studio. */

export type TrainModel = 'small-cnn' | 'mobilenet-v2' | 'inception-v3';
export type OptimizerName = 'rmsprop' | 'adam' | 'sgd';
export type ScheduleName = 'constant' | 'exponential' | 'cosine' | 'warmup-cosine';
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['constant', 'exponential', 'cosine', 'warmup-cosine'];
/** a model's own input size: what a run trains at when no image size is given */
export const DEFAULT_IMAGE_SIZE: Record<TrainModel, number> = { 'small-cnn': 32, 'mobilenet-v2': 96, 'inception-v3': 299 };

/** The optimizer, rate and schedule a run gets when it names none, for the studio's form and the trainer alike. */
export interface Recipe {
  optimizer: OptimizerName;
  learningRate: number;
  schedule: ScheduleName;
}

const DEFAULT_LR: Record<OptimizerName, number> = { adam: 0.001, rmsprop: 0.01, sgd: 0.01 };

/**
 * The default recipe for a model: Inception-v3 the reference's (RMSProp 0.01, staircase decay);
 * the small CNN from scratch Adam at 2e-3 with a linear warm-up over the first 10% of the steps
 * and a cosine decay to zero (on Fashion-MNIST, 3 epochs: 92.12% against 91.80% at 3e-3; see
 * docs/benchmarks.md); the others,
 * and any backbone's new head, Adam at 1e-3, constant. `optimizer`: one chosen by the user, whose
 * own default rate and schedule then apply.
 */
export function defaultRecipe(model: TrainModel, transfer: boolean, optimizer?: OptimizerName): Recipe {
  const chosen = optimizer ?? (model === 'inception-v3' ? 'rmsprop' : 'adam');
  if (model === 'small-cnn' && !transfer && chosen === 'adam') return { optimizer: 'adam', learningRate: 0.002, schedule: 'warmup-cosine' };
  return { optimizer: chosen, learningRate: DEFAULT_LR[chosen], schedule: chosen === 'rmsprop' ? 'exponential' : 'constant' };
}

/**
 * The augmentation a run gets when it names none: the reference's crops for the large networks;
 * none for the small CNN (in runs of a few epochs every augmentation measured cost it more than it
 * gave: Fashion-MNIST, 7 epochs, 92.97% with none, 91.48% with light crops and flips, 91.87%
 * after 6 of 7 with shifts and flips; docs/benchmarks.md) and for cached features (of whole images).
 */
export function defaultAugment(model: TrainModel, cacheFeatures = false): Augment {
  return cacheFeatures || model === 'small-cnn' ? 'none' : 'inception';
}

/**
 * Whether evaluation averages each image with its mirror image when a run does not say: for the
 * small CNN trained from scratch with flipped images (two passes of a small network cost little),
 * not for the large networks, whose second pass would double the cost of classifying a whole
 * dataset, and not after training without flips.
 */
export function defaultFlipAverage(model: TrainModel, transfer: boolean, augment: Augment = defaultAugment(model)): boolean {
  return model === 'small-cnn' && !transfer && augment !== 'none';
}

/** how training varies its images (see TrainOptions.augment) */
export type Augment = 'inception' | 'light' | 'shift' | 'none';
export const AUGMENT_NAMES: readonly Augment[] = ['inception', 'light', 'shift', 'none'];

export type BackendChoice = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface TrainOptions {
  model: TrainModel;
  imageSize?: number;
  epochs?: number;
  /** 'auto': the largest that fits on a GPU, the fastest on the CPU (see engine/train/batchProbe.ts) */
  batchSize?: number | 'auto';
  optimizer?: OptimizerName;
  learningRate?: number;
  schedule?: ScheduleName;
  /** staircase exponential decay: multiply by decayRate every decayEpochs */
  decayRate?: number;
  decayEpochs?: number;
  labelSmoothing?: number;
  /** a pretrained TF.js layers model (folder or URL) to use as a frozen backbone */
  backbone?: string;
  /** with a backbone: unfreeze this many of its top layers */
  fineTuneLayers?: number;
  /** with a frozen backbone: compute its features of every image once, then train the head on them (no augmentation) */
  cacheFeatures?: boolean;
  /** with a backbone: the new head's dropout rate (default 0.2) */
  headDropout?: number;
  alpha?: number;
  auxHead?: boolean;
  /** training augmentation: the reference's crops (35-100% of the area) or light ones (80-100%), or the whole image moved by up to a fourteenth of its side (shift), each with random flips; or none (the whole image, unflipped) */
  augment?: Augment;
  /**
   * at evaluation (validation, classify, review), average each image's probabilities with those of
   * its mirror image (default: on for the small CNN when training flips images; off otherwise, where
   * a second pass through a large network would double the cost of classifying)
   */
  flipAverage?: boolean;
  seed?: number;
  logEvery?: number;
  /** train on categories rolled up to this depth of the tree (1 = the top level; absent: the leaves) */
  level?: number;
  /** what the user calls the run (stored with it, shown in the runs lists) */
  name?: string;
  /** gradient accumulation: sum the gradients of this many batches into one step (effective batch = batchSize x accumulate) */
  accumulate?: number;
  /** the batch one optimizer step should see at least: accumulate = ceil(effectiveBatch / batchSize) (it overrides accumulate) */
  effectiveBatch?: number;
  /** how an auto batch was chosen: written by the trainer with the batch it chose, so a resumed run keeps it */
  batchProbe?: BatchProbe;
  backend?: BackendChoice;
  /** data-parallel gradient workers (threads) on the CPU backends; default one per core there, 1 on the GPU backends */
  workers?: number;
  /** test hook: the trainer fails as a backend would at this step */
  failAtStep?: number;
}

export type TrainEvent =
  | { type: 'start'; run: string; backend: string; model: string; labels: number; train: number; validation: number; stepsPerEpoch: number; totalSteps: number; resumedAt: number; batchSize?: number; effectiveBatch?: number; batchProbe?: BatchProbe; note?: string; workers?: number; mode?: string }
  /** the backbone's features being computed once, before a cached-features run's first epoch */
  | { type: 'features'; run: string; done: number; total: number; imagesPerSec: number; eta: number }
  | { type: 'step'; run: string; epoch: number; epochs: number; step: number; totalSteps: number; loss: number; top1: number; top5: number; lr: number; imagesPerSec: number; eta: number }
  | { type: 'epoch'; run: string; epoch: number; epochs: number; step: number; totalSteps: number; val_loss: number | null; val_top1: number | null; val_top5: number | null }
  | { type: 'done'; run: string; state: 'done' | 'stopped'; model_dir: string; top1: number | null; top5: number | null; backend: string; level: number | null; batch_size: number; effective_batch: number; batch_probe?: BatchProbe | null; mode?: string }
  | { type: 'error'; run: string; message: string }
  /** the first run on a GPU newer than libtensorflow's kernels compiles them (minutes): shown with the time elapsed until the first step */
  | { type: 'preparing'; run: string; gpu: string; message: string };

/** How `--batch-size auto` chose the batch: by memory on a GPU backend, by images/s on the CPU ones. */
export interface BatchProbe {
  method: 'memory' | 'speed';
  /** memory: the largest size that ran; speed: the fastest size for one model replica (timed on one thread) */
  chosen: number;
  /** memory: the smallest size that ran out of memory (null: none did up to the largest tried, 4096) */
  failed_at: number | null;
  /** the answer came from <SHIWAKE_HOME>/batch-probe.json, not a probe this time */
  cached: boolean;
  /** speed: the worker threads the run trains on, when more than one (the batch is split among them) */
  workers?: number;
  /** speed: images/s measured per size */
  images_per_sec?: Record<string, number>;
}

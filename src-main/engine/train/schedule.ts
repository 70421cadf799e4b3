/** Training defaults, optimizers and learning-rate schedules. */
import { defaultAugment, defaultFlipAverage, defaultRecipe, type TrainOptions } from '../../shared/training.js';
import { transferProblem } from '../../shared/transfer.js';
import { MODEL_NAMES, type ModelName } from './models.js';
import { tf } from './tf.js';

export type ResolvedOptions = Required<Omit<TrainOptions, 'backbone' | 'backend' | 'failAtStep' | 'model' | 'level' | 'name' | 'accumulate' | 'workers' | 'batchSize' | 'effectiveBatch' | 'batchProbe'>> & {
  model: ModelName;
  /** a number: the trainer resolves 'auto' (batchProbe.ts) before training */
  batchSize: number;
  backbone?: string;
};

export function resolveTrainOptions(o: TrainOptions, defaultImageSize: number): ResolvedOptions {
  if (!MODEL_NAMES.includes(o.model as ModelName)) throw new Error(`unknown model "${o.model}": choose ${MODEL_NAMES.join(', ')}`);
  const recipe = defaultRecipe(o.model, o.backbone !== undefined, o.optimizer);
  const r: ResolvedOptions = {
    model: o.model as ModelName,
    imageSize: o.imageSize ?? defaultImageSize,
    epochs: o.epochs ?? 10,
    batchSize: o.batchSize === 'auto' ? 32 : (o.batchSize ?? 32), // auto: a placeholder until the trainer's probe
    optimizer: recipe.optimizer,
    learningRate: o.learningRate ?? recipe.learningRate,
    schedule: o.schedule ?? recipe.schedule,
    decayRate: o.decayRate ?? 0.16,
    decayEpochs: o.decayEpochs ?? 30,
    labelSmoothing: o.labelSmoothing ?? 0.1,
    fineTuneLayers: o.fineTuneLayers ?? 0,
    alpha: o.alpha ?? 1,
    auxHead: o.auxHead ?? false,
    augment: o.augment ?? defaultAugment(o.model, o.cacheFeatures),
    cacheFeatures: o.cacheFeatures ?? false,
    flipAverage: false, // below: it follows the augmentation
    headDropout: o.headDropout ?? 0.2,
    seed: o.seed ?? 42,
    logEvery: o.logEvery ?? 20,
    backbone: o.backbone,
  };
  r.flipAverage = o.flipAverage ?? defaultFlipAverage(r.model, o.backbone !== undefined, r.augment);
  const positive: (keyof ResolvedOptions)[] = ['imageSize', 'epochs', 'batchSize', 'learningRate', 'logEvery', 'alpha'];
  for (const k of positive) if (!(Number(r[k]) > 0)) throw new Error(`${k} must be positive (got ${String(r[k])})`);
  if (r.labelSmoothing < 0 || r.labelSmoothing >= 1) throw new Error(`labelSmoothing must be in [0, 1) (got ${r.labelSmoothing})`);
  if (r.headDropout < 0 || r.headDropout >= 1) throw new Error(`headDropout must be in [0, 1) (got ${r.headDropout})`);
  const transfer = transferProblem(o);
  if (transfer) throw new Error(transfer);
  return r;
}

/** An optimizer whose learning rate the schedule can change between steps. */
export interface ScheduledOptimizer {
  optimizer: tf.Optimizer;
  get learningRate(): number;
  set learningRate(lr: number);
}

/** The reference's RMSProp (decay 0.9, momentum 0.9, epsilon 1.0), Adam, or SGD with momentum 0.9. */
export function makeOptimizer(o: ResolvedOptions): ScheduledOptimizer {
  const optimizer =
    o.optimizer === 'rmsprop' ? tf.train.rmsprop(o.learningRate, 0.9, 0.9, 1.0) : o.optimizer === 'adam' ? tf.train.adam(o.learningRate) : tf.train.momentum(o.learningRate, 0.9);
  // tfjs keeps the rate in a protected field; SGD-family optimizers cache it and offer setLearningRate
  const inner = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  return {
    optimizer,
    get learningRate() {
      return inner.learningRate;
    },
    set learningRate(lr: number) {
      if (lr === inner.learningRate) return;
      if (inner.setLearningRate) inner.setLearningRate(lr);
      else inner.learningRate = lr;
    },
  };
}

export function learningRateAt(o: ResolvedOptions, step: number, epoch: number, totalSteps: number): number {
  switch (o.schedule) {
    case 'constant':
      return o.learningRate;
    case 'exponential':
      return o.learningRate * o.decayRate ** Math.floor(epoch / o.decayEpochs);
    case 'cosine':
      return cosineDecay(o.learningRate, step, totalSteps);
    case 'warmup-cosine': {
      // linear from lr / warmup at the first step (never 0) to lr, then the cosine over the rest
      const warmup = Math.max(1, Math.round(WARMUP_SHARE * totalSteps));
      return step < warmup ? (o.learningRate * (step + 1)) / warmup : cosineDecay(o.learningRate, step - warmup, totalSteps - warmup);
    }
  }
}

/** the share of a run's steps that `warmup-cosine` spends warming up */
const WARMUP_SHARE = 0.1;

function cosineDecay(lr: number, step: number, steps: number): number {
  return lr * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, steps)) / Math.max(1, steps)));
}

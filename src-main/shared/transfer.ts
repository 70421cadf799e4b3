/**
 * Transfer learning's vocabulary, shared by the trainer, the CLI and the studio: which mode a
 * run trains in (read from its options, so the runs table can say it for old runs too) and
 * which option combinations cannot work together.
 */
import type { TrainOptions } from './training.js';

export type TrainingMode = 'from scratch' | 'frozen backbone' | 'frozen backbone, head on cached features' | `fine-tuning the last ${number} backbone layers`;

export function trainingMode(o: Pick<TrainOptions, 'backbone' | 'fineTuneLayers' | 'cacheFeatures'>): TrainingMode {
  if (!o.backbone) return 'from scratch';
  const n = o.fineTuneLayers ?? 0;
  if (n > 0) return `fine-tuning the last ${n} backbone layers`;
  return o.cacheFeatures ? 'frozen backbone, head on cached features' : 'frozen backbone';
}

/**
 * Why these options cannot train, or null. Cached features are computed once, so the
 * backbone must not change (no fine-tuning) and its input must not either (no augmentation).
 * Names the options as the CLI spells them; the studio shows the same line.
 */
export function transferProblem(o: Pick<TrainOptions, 'backbone' | 'fineTuneLayers' | 'cacheFeatures' | 'augment'>): string | null {
  if (o.fineTuneLayers !== undefined && o.fineTuneLayers > 0 && !o.backbone) return '--fine-tune-layers needs --backbone (a pretrained model to fine-tune)';
  if (!o.cacheFeatures) return null;
  if (!o.backbone) return '--cache-features needs --backbone (the pretrained model whose features are cached)';
  if ((o.fineTuneLayers ?? 0) > 0) return `--cache-features needs a frozen backbone: it cannot go with --fine-tune-layers ${o.fineTuneLayers} (fine-tuning changes the features every step); drop one of them`;
  if (o.augment && o.augment !== 'none') return `--cache-features computes each image's features once, so the backbone's input cannot be augmented: it cannot go with --augment ${o.augment} (use --augment none or leave it out)`;
  return null;
}

/** What the studio's "check" shows of a backbone before a run uses it. */
export interface BackboneInfo {
  location: string;
  name: string;
  /** the side of the square images it takes (null: not fixed, the run's image size decides) */
  inputSize: number | null;
  parameters: number;
  /** the width of the pooled feature vector the new head reads */
  featureWidth: number;
  /** its layers up to the cut before its own classifier: the most --fine-tune-layers can unfreeze */
  layers: number;
}

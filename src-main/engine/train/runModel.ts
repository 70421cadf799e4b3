/** The model a run trains, built one way for the trainer and for the batch probe that sizes it. */
import { loadModel } from './modelIO.js';
import { buildModel, withNewHead } from './models.js';
import type { ResolvedOptions } from './schedule.js';
import type { tf } from './tf.js';

/** A backbone (folder or URL) with a new head for `classes`, or one of the built-in models from scratch. */
export async function buildRunModel(options: ResolvedOptions, classes: number): Promise<tf.LayersModel> {
  return options.backbone
    ? withNewHead(await loadModel(options.backbone), classes, options.fineTuneLayers, options.headDropout, options.seed)
    : buildModel(options.model, { classes, imageSize: options.imageSize, alpha: options.alpha, auxHead: options.auxHead });
}

/** Classify files and items, evaluate runs, export a model. (Being built: see issue 8.) */
import type { AreaHandlers, StudioContext } from '../context.js';

type PredictMethods = 'dialog.pickFiles' | 'classify.files' | 'classify.items' | 'evaluate.start' | 'evaluate.report' | 'evaluate.matrix' | 'model.export';

export function predictArea(ctx: StudioContext): AreaHandlers<PredictMethods> {
  const notYet = (): never => {
    throw new Error('classification is not available in this build yet');
  };
  return {
    'dialog.pickFiles': () => ctx.options.pickFiles?.() ?? null,
    'classify.files': notYet,
    'classify.items': notYet,
    'evaluate.start': notYet,
    'evaluate.report': notYet,
    'evaluate.matrix': notYet,
    'model.export': notYet,
  };
}

/** The review queue: likely mislabels ranked by out-of-sample scores (being built: issue 10). */
import type { AreaHandlers, StudioContext } from '../context.js';

type ReviewMethods = 'review.start' | 'review.queue' | 'review.keep' | 'review.neighbours' | 'review.summary';

export function reviewArea(_ctx: StudioContext): AreaHandlers<ReviewMethods> {
  const notYet = (): never => {
    throw new Error('the review is not available in this build yet');
  };
  return { 'review.start': notYet, 'review.queue': notYet, 'review.keep': notYet, 'review.neighbours': notYet, 'review.summary': notYet };
}

import type { Args } from '../../../src-main/shared/contract';

type Options = Args<'train.start'>;
type Set = <K extends keyof Options>(k: K, v: Options[K]) => void;

const count = (v: string): number | undefined => (v === '' ? undefined : Number(v));

/** What one step will see, as far as the form knows before the run starts. */
function effectiveText(o: Options): string | null {
  if (o.batchSize === 'auto') return o.effectiveBatch ? `batch chosen at the start; effective batch at least ${o.effectiveBatch}` : 'batch chosen at the start: the largest that fits on a GPU, the fastest on the CPU';
  const batch = o.batchSize ?? 32;
  const effective = o.effectiveBatch ? batch * Math.ceil(o.effectiveBatch / batch) : batch * (o.accumulate ?? 1);
  return effective === batch ? null : `effective batch ${effective} (${effective / batch} × ${batch})`;
}

/**
 * The batch per step (a number, or auto), gradient accumulation, and the effective batch one
 * optimizer step sees: either accumulate K batches, or ask for an effective batch and let the
 * run work out K once it knows the batch.
 */
export function BatchFields({ o, set }: { o: Options; set: Set }) {
  const auto = o.batchSize === 'auto';
  const text = effectiveText(o);
  return (
    <>
      <label>batch size <input type="number" min={1} value={auto ? '' : (o.batchSize ?? '')} placeholder={auto ? 'auto' : '32'} disabled={auto} onChange={(e) => set('batchSize', count(e.target.value))} data-testid="train-batchSize" /></label>
      <label title="the largest batch that fits in the GPU's memory, or on the CPU the fastest; found by a short probe at the start, remembered per device, model and image size">
        auto batch <input type="checkbox" checked={auto} onChange={(e) => set('batchSize', e.target.checked ? 'auto' : 32)} data-testid="train-batch-auto" />
      </label>
      <label title="sum the gradients of this many batches into one step: a larger effective batch than fits in memory (the learning rate is scaled by it)">accumulate batches <input type="number" min={1} value={o.accumulate ?? ''} disabled={o.effectiveBatch !== undefined} onChange={(e) => set('accumulate', count(e.target.value))} data-testid="train-accumulate" /></label>
      <label title="the examples one optimizer step should see at least: the run accumulates as many batches as that takes (instead of 'accumulate batches')">effective batch <input type="number" min={1} value={o.effectiveBatch ?? ''} placeholder="batch × accumulate" onChange={(e) => set('effectiveBatch', count(e.target.value))} data-testid="train-effectiveBatch" /></label>
      {text && <span className="muted" data-testid="train-effective-batch">{text}</span>}
    </>
  );
}

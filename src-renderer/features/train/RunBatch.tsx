import type { RunSummary } from '../../../src-main/shared/contract';
import type { BatchProbe } from '../../../src-main/shared/training';

/** How the batch was chosen, in words: "auto: the largest that fits (72 ran out of memory)". */
function how(probe: BatchProbe, batch: number): string {
  const cached = probe.cached ? ', remembered from an earlier probe' : '';
  if (probe.method === 'speed') return `auto: the fastest on the CPU${probe.workers ? `, ${Math.ceil(batch / probe.workers)} per worker thread` : ''}${cached}`;
  return `auto: the largest that fits${probe.failed_at ? ` (${probe.failed_at} ran out of memory)` : ' (the largest tried)'}${cached}`;
}

/**
 * A run's batch per step and the effective batch one optimizer step sees, from its stored
 * options: the trainer writes the batch it chose for an auto batch there before it trains.
 */
export function RunBatch({ run }: { run: RunSummary }) {
  const o = run.options as { batchSize?: number | 'auto'; accumulate?: number; effectiveBatch?: number; batchProbe?: BatchProbe };
  if (o.batchSize === 'auto') {
    return <p className="muted" data-testid="run-batch">batch: auto{run.state === 'running' ? ' (probing…)' : ''}</p>;
  }
  const batch = o.batchSize ?? 32;
  const effective = batch * (o.accumulate ?? 1);
  return (
    <p className="muted" data-testid="run-batch" title="the batch per step is what the device holds at once; the effective batch is what one optimizer step averages over (accumulated batches)">
      batch <b data-testid="run-batch-size">{batch}</b> per step · effective batch <b data-testid="run-effective-batch">{effective}</b>
      {effective !== batch ? ` (${effective / batch} batches accumulated)` : ''}
      {o.batchProbe ? ` · ${how(o.batchProbe, batch)}` : ''}
    </p>
  );
}

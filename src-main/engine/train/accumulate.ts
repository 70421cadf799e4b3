/**
 * Gradient accumulation: the gradients of `k` batches of b are summed and applied as one step
 * of their mean, which is the step one batch of k x b would take (exactly so for a model
 * without batch normalization, whose statistics still see b at a time). It reaches an
 * effective batch larger than fits in memory. The learning rate is scaled for the effective
 * batch by the linear rule (Goyal et al. 2017): the rate given is the one for a batch of b,
 * so a step of k x b takes k times it.
 *
 * It wraps the optimizer's applyGradients, so every path that trains through the optimizer
 * (the single-replica step and the data-parallel workers' averaged gradients alike) accumulates
 * without changing; the trainer only wraps its optimizer.
 */
import type { ScheduledOptimizer } from './schedule.js';
import { tf } from './tf.js';

export interface Accumulating extends ScheduledOptimizer {
  /** batches summed so far towards the next step (0 right after a step) */
  readonly pending: number;
}

type Gradients = Parameters<tf.Optimizer['applyGradients']>[0];

export function accumulating(scheduled: ScheduledOptimizer, k: number): Accumulating {
  if (!Number.isInteger(k) || k < 1) throw new Error(`accumulate must be a whole number of batches from 1 (got ${String(k)})`);
  if (k === 1) return Object.assign(scheduled, { pending: 0 });
  const optimizer = scheduled.optimizer;
  const apply = optimizer.applyGradients.bind(optimizer);
  let sums: Record<string, tf.Tensor> | null = null;
  let pending = 0;
  let armed = false;
  const accumulate = (grads: Gradients): void => {
    const named: tf.NamedTensorMap = Array.isArray(grads) ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads;
    const before = sums;
    // kept: the caller's tidy scope (the training step's) would otherwise dispose the running sums
    sums = Object.fromEntries(Object.entries(named).map(([name, g]) => [name, tf.keep(tf.tidy(() => (before?.[name] ? tf.add(before[name]!, g) : g.clone())))]));
    if (before) tf.dispose(Object.values(before));
    pending++;
    if (pending < k) return;
    const total = sums;
    const mean = tf.tidy(() => Object.fromEntries(Object.entries(total).map(([name, s]) => [name, tf.div(s, k)])));
    try {
      apply(mean);
    } finally {
      tf.dispose([...Object.values(mean), ...Object.values(total)]);
      sums = null;
      pending = 0;
    }
  };
  return {
    optimizer,
    get pending() {
      return pending;
    },
    get learningRate() {
      return scheduled.learningRate;
    },
    set learningRate(lr: number) {
      // armed at the first rate the training loop sets: restoring a checkpoint runs one real
      // (zero) step before that to create the optimizer's slots, and it must be applied at once
      if (!armed) (optimizer as { applyGradients: (g: Gradients) => void }).applyGradients = accumulate;
      armed = true;
      scheduled.learningRate = lr * k;
    },
  };
}

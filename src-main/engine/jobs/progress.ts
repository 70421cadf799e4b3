import type { Progress } from '../../shared/types.js';

/**
 * Turns "done so far" into rate and time left. The rate is an exponential moving average
 * over ~5 s windows, so one slow file does not swing the estimate.
 */
export class ProgressMeter {
  private lastTime: number;
  private lastDone = 0;
  private rate = 0;
  private readonly started: number;

  constructor(
    private phase: string,
    private total: number | null,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = this.lastTime = now();
  }

  setPhase(phase: string, total: number | null): void {
    this.phase = phase;
    this.total = total;
    this.lastDone = 0;
    this.rate = 0;
    this.lastTime = this.now();
  }

  update(done: number): Progress {
    const t = this.now();
    const dt = (t - this.lastTime) / 1000;
    if (dt >= 0.25) {
      const instant = (done - this.lastDone) / dt;
      const alpha = Math.min(1, dt / 5);
      this.rate = this.rate === 0 ? instant : this.rate + alpha * (instant - this.rate);
      this.lastTime = t;
      this.lastDone = done;
    }
    const eta = this.total !== null && this.rate > 0 ? Math.max(0, (this.total - done) / this.rate) : null;
    return { phase: this.phase, done, total: this.total, rate: this.rate, eta };
  }

  elapsedSeconds(): number {
    return (this.now() - this.started) / 1000;
  }
}

/** Calls `fn` at most every `ms` milliseconds (and always for the last call via flush). */
export function throttle<T>(ms: number, fn: (value: T) => void): { call: (value: T) => void; flush: () => void } {
  let last = 0;
  let pending: { value: T } | undefined;
  return {
    call(value: T) {
      const t = performance.now();
      if (t - last >= ms) {
        last = t;
        pending = undefined;
        fn(value);
      } else pending = { value };
    },
    flush() {
      if (pending) fn(pending.value);
      pending = undefined;
    },
  };
}

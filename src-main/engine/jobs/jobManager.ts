/**
 * Long work inside a running studio: each job gets an id, an AbortController, progress
 * events (throttled) and one final event. The work itself records its own row in SQLite.
 */
import type { JobInfo } from '../../shared/contract.js';
import type { Progress } from '../../shared/types.js';
import { throttle } from './progress.js';

export interface JobEvents {
  progress(info: JobInfo): void;
  done(info: { id: number; kind: string; title: string; state: 'done' | 'failed' | 'cancelled'; message: string }): void;
}

interface Running {
  info: JobInfo;
  controller: AbortController;
  promise: Promise<void>;
}

export type JobWork = (signal: AbortSignal, progress: (p: Progress) => void) => Promise<{ cancelled: boolean; message: string }>;

export class JobManager {
  private nextId = 1;
  private readonly running = new Map<number, Running>();

  constructor(private readonly events: JobEvents) {}

  start(kind: string, title: string, work: JobWork): number {
    const id = this.nextId++;
    const controller = new AbortController();
    const info: JobInfo = { id, kind, title, progress: { phase: 'starting', done: 0, total: null, rate: 0, eta: null } };
    const report = throttle<Progress>(200, (p) => {
      info.progress = p;
      this.events.progress({ ...info });
    });
    const promise = work(controller.signal, report.call).then(
      (r) => {
        report.flush();
        this.finish(id, r.cancelled ? 'cancelled' : 'done', r.message);
      },
      (err: unknown) => this.finish(id, 'failed', err instanceof Error ? err.message : String(err)),
    );
    this.running.set(id, { info, controller, promise });
    return id;
  }

  private finish(id: number, state: 'done' | 'failed' | 'cancelled', message: string): void {
    const job = this.running.get(id);
    if (!job) return;
    this.running.delete(id);
    this.events.done({ id, kind: job.info.kind, title: job.info.title, state, message });
  }

  cancel(id: number): boolean {
    const job = this.running.get(id);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  active(): JobInfo[] {
    return [...this.running.values()].map((j) => ({ ...j.info }));
  }

  /** Cancels everything and waits for it to stop (closing a project). */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    all.forEach((j) => j.controller.abort());
    await Promise.all(all.map((j) => j.promise));
  }

  /** Resolves when every job now running has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((j) => j.promise));
  }
}

/**
 * Worker threads that each hold a model and a backend instance, fed in batches. On the CPU
 * backends (WASM, plain JS) there is one worker per core, since each of those backends runs
 * on one thread; native and GPU backends get one worker, as they parallelise inside.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { workersPerBackend } from '../train/cores.js';
import type { BackendName } from '../train/tf.js';
import type { InputFile, Scored } from './inference.js';

const BOOT = path.join(import.meta.dirname, 'workerBoot.mjs');
const ENTRY = path.join(import.meta.dirname, 'predictWorker.ts');

interface Ready {
  backend: BackendName;
  label: string;
  classes: number;
  imageSize: number;
}

/**
 * Images per batch: 16 at 96 px, fewer for larger inputs (3 at 224 px), more for small ones (at
 * most 32). A WASM worker's memory grows to its largest batch and is never given back, so the
 * batch keeps it near the same size whatever the model's input.
 */
export function batchFor(imageSize: number): number {
  return Math.max(1, Math.min(32, Math.floor((16 * 96 * 96) / (imageSize * imageSize))));
}

interface Task {
  id: number;
  files: InputFile[];
  embed: boolean;
  resolve: (r: Scored[]) => void;
}

/** A backbone (dir is its folder or URL) embeds only, at its input size or the one given. */
export type BackboneOption = { imageSize?: number };

function startWorker(dir: string, backend?: BackendName, backbone?: BackboneOption): Promise<{ worker: Worker; ready: Ready }> {
  const worker = new Worker(BOOT, { workerData: { entry: ENTRY, dir, backend, backbone } });
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string; message?: string } & Ready): void => {
      worker.off('message', onMessage);
      if (m.type === 'ready') resolve({ worker, ready: m });
      else {
        void worker.terminate();
        reject(new Error(m.message ?? 'the predictor worker failed to start'));
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Task[] = [];
  private readonly running = new Map<Worker, Task>();
  private nextId = 1;

  private constructor(
    readonly ready: Ready,
    private readonly workers: Worker[],
  ) {
    for (const w of workers) {
      w.on('message', (m: { type: string; id: number; results: Scored[] }) => this.finished(w, m.results));
      w.on('error', (err) => this.crashed(w, err));
      this.idle.push(w);
    }
  }

  /** Starts one worker, learns its backend, then the rest (one per core on CPU backends). */
  static async start(dir: string, options: { backend?: BackendName; workers?: number; maxWorkers?: number; backbone?: BackboneOption } = {}): Promise<WorkerPool> {
    const first = await startWorker(dir, options.backend, options.backbone);
    const wanted = options.workers ?? Math.min(workersPerBackend(first.ready.backend), options.maxWorkers ?? Infinity);
    // the rest at the size the first found (a URL is fetched once more per worker, not asked again)
    const backbone = options.backbone && { imageSize: first.ready.imageSize };
    const rest = await Promise.all(Array.from({ length: Math.max(0, wanted - 1) }, () => startWorker(dir, first.ready.backend, backbone)));
    return new WorkerPool(first.ready, [first.worker, ...rest.map((r) => r.worker)]);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Scores files in batches spread over the workers; results in input order. */
  async predict(files: readonly InputFile[], batchSize = batchFor(this.ready.imageSize), embed = false): Promise<Scored[]> {
    const chunks: InputFile[][] = [];
    for (let i = 0; i < files.length; i += batchSize) chunks.push(files.slice(i, i + batchSize));
    const answers = await Promise.all(chunks.map((chunk) => new Promise<Scored[]>((resolve) => this.enqueue({ id: this.nextId++, files: chunk, embed, resolve }))));
    return answers.flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private enqueue(task: Task): void {
    this.queue.push(task);
    this.pump();
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.running.set(worker, task);
      worker.postMessage({ id: task.id, files: task.files, embed: task.embed });
    }
  }

  private finished(worker: Worker, results: Scored[]): void {
    const task = this.running.get(worker);
    this.running.delete(worker);
    this.idle.push(worker);
    task?.resolve(results);
    this.pump();
  }

  private crashed(worker: Worker, err: Error): void {
    const task = this.running.get(worker);
    this.running.delete(worker);
    this.workers.splice(this.workers.indexOf(worker), 1);
    const fail = (t: Task): void => t.resolve(t.files.map(() => ({ error: `the predictor worker crashed: ${err.message}`, ms: 0 })));
    if (task) fail(task);
    // with no worker left, nothing would ever answer the queue
    if (this.workers.length === 0) this.queue.splice(0).forEach(fail);
  }
}

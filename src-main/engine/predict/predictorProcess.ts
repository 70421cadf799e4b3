/**
 * Entry point of the predictor process (child_process.fork): holds one run's model warm in
 * a pool of worker threads, so a native backend failure or out-of-memory ends this process,
 * not the engine. Messages: `open`, `predict` in; `opened`, `result`, `error` out. Each
 * answer carries the top k and the probability of a requested category, never the whole
 * vector (1,000 floats per image would cost more to send than to compute).
 */
import type { BackendName } from '../train/tf.js';
import type { InputFile } from './inference.js';
import { WorkerPool, type BackboneOption } from './workerPool.js';

export interface PredictRequest {
  type: 'predict';
  id: number;
  files: InputFile[];
  top: number;
  /** per file: an output index whose probability to return (the item's label), or null */
  want?: (number | null)[];
  /** images per batch (default: by the model's input size, see batchFor) */
  batchSize?: number;
  /** also return each image's embedding (the penultimate layer) */
  embed?: boolean;
}

export type PredictAnswer = { top: [number, number][]; want: number | null; embedding?: Float32Array; ms: number } | { error: string; ms: number };

let pool: WorkerPool | null = null;
const send = (m: unknown): void => void process.send?.(m);

function topK(probs: Float32Array, k: number): [number, number][] {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
  return order.slice(0, k).map((i) => [i, probs[i]!]);
}

process.on('disconnect', () => process.exit(0)); // the engine is gone: so is our reason to run
process.on('message', (message) => {
  const m = message as { type: 'open'; dir: string; backend?: BackendName; workers?: number; maxWorkers?: number; backbone?: BackboneOption } | PredictRequest | { type: 'close' };
  if (m.type === 'open') {
    WorkerPool.start(m.dir, { backend: m.backend, workers: m.workers, maxWorkers: m.maxWorkers, backbone: m.backbone }).then(
      (p) => {
        pool = p;
        send({ type: 'opened', backend: p.ready.backend, label: p.ready.label, classes: p.ready.classes, imageSize: p.ready.imageSize, workers: p.size });
      },
      (err: Error) => send({ type: 'error', message: err.message }),
    );
  } else if (m.type === 'predict') {
    if (!pool) return send({ type: 'error', id: m.id, message: 'no model is open' });
    pool.predict(m.files, m.batchSize, m.embed === true).then((scored) => {
      const results: PredictAnswer[] = scored.map((s, i) => {
        if ('error' in s) return s;
        const want = m.want?.[i];
        return { top: topK(s.probs, m.top), want: want === null || want === undefined ? null : (s.probs[want] ?? null), embedding: s.embedding, ms: s.ms };
      });
      send({ type: 'result', id: m.id, results });
    });
  } else if (m.type === 'close') {
    void pool?.close().finally(() => process.exit(0));
  }
});

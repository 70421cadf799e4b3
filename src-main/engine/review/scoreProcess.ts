/**
 * Entry point of the review's scoring process (child_process.fork): loads a run's
 * embeddings, computes out-of-sample probabilities (K-fold heads or kNN) with TensorFlow.js,
 * applies confident learning and stores the ranking. TensorFlow.js stays out of the engine.
 */
import { Project } from '../project.js';
import { initBackend } from '../train/tf.js';
import { scoreRun, type ScoreOptions } from './scoring.js';

const send = (m: unknown): void => void process.send?.(m);
process.on('disconnect', () => process.exit(0));
process.once('message', (message) => {
  const m = message as { type: 'score'; projectDir: string; run: string; options: ScoreOptions };
  const project = Project.open(m.projectDir);
  initBackend()
    .then(() => scoreRun(project, m.run, m.options, (done, total, phase) => send({ type: 'progress', done, total, phase })))
    .then(
      (summary) => send({ type: 'done', summary: { ...summary, peakRssMiB: process.resourceUsage().maxRSS / 1024 } }),
      (err: Error) => send({ type: 'error', message: err.message }),
    )
    .finally(() => {
      project.close();
      setTimeout(() => process.exit(0), 50);
    });
});

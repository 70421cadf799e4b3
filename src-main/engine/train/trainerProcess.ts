/**
 * Entry point of the trainer process (child_process.fork under Node, utilityProcess in
 * Electron): a native crash or out-of-memory in TensorFlow ends this process, not the
 * studio or the database. Talks to its parent in messages: `start`/`stop` in, TrainEvents out.
 */
import { Project } from '../project.js';
import type { TrainEvent, TrainOptions } from '../../shared/training.js';
import { ResumeRefused } from './checkpoint.js';
import { train } from './trainer.js';

interface StartMessage {
  type: 'start';
  projectDir: string;
  run: string;
  options: TrainOptions;
  resume: boolean;
}

type Port = { send(m: unknown): void; onMessage(fn: (m: unknown) => void): void };

function parentPort(): Port {
  const electronPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', fn: (e: { data: unknown }) => void): void } }).parentPort;
  if (electronPort) return { send: (m) => electronPort.postMessage(m), onMessage: (fn) => electronPort.on('message', (e) => fn(e.data)) };
  return { send: (m) => process.send?.(m), onMessage: (fn) => process.on('message', fn) };
}

const port = parentPort();
let stop = false;
const emit = (event: TrainEvent): void => port.send(event);
process.on('SIGTERM', () => (stop = true));
process.on('SIGINT', () => (stop = true));

port.onMessage((message) => {
  const m = message as StartMessage | { type: 'stop' };
  if (m.type === 'stop') {
    stop = true;
    return;
  }
  if (m.type !== 'start') return;
  const project = Project.open(m.projectDir);
  train(project, m.run, m.options, { emit, stopRequested: () => stop }, m.resume)
    .then((result) => emit({ type: 'done', ...result }))
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof ResumeRefused) return emit({ type: 'error', run: m.run, message }); // the run stays as it was
      try {
        project.runs.setState(m.run, 'failed', { message: `${message} (the last checkpoint is kept: resume continues from it)`, pid: null });
      } catch {
        /* the database is what failed: the parent records it */
      }
      emit({ type: 'error', run: m.run, message });
    })
    .finally(() => {
      project.close();
      setTimeout(() => process.exit(0), 50); // let the last message go
    });
});

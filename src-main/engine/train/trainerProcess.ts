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
  // once the parent is gone a send fails with ERR_IPC_CHANNEL_CLOSED
  // (synchronously, or EPIPE on the write): there is no one to tell, and it must not end the run
  return { send: (m) => process.connected && process.send?.(m, undefined, {}, () => {}), onMessage: (fn) => process.on('message', fn) };
}

const port = parentPort();
let stop = false;
let stopReason: string | undefined;
let started = false;
const emit = (event: TrainEvent): void => port.send(event);
process.on('SIGTERM', () => (stop = true));
process.on('SIGINT', () => (stop = true));

/**
 * Nobody is left to watch a run whose parent died (a killed `shiwake train`, a crashed
 * studio): stop at a checkpoint, as Ctrl+C does, so the run is `stopped` and resumable at
 * once, and exit; a step that does not end in time is cut short (the run then resumes from
 * its last epoch checkpoint). The IPC channel's 'disconnect' says so under child_process.fork;
 * a change of parent pid (re-parented to init or a subreaper) covers utilityProcess and a
 * channel that never closes.
 */
const PARENT_GONE_GRACE_MS = 20_000;
const parentPid = process.ppid;
function parentGone(): void {
  if (stopReason) return;
  stopReason = 'the process that started it ended (killed, or its window closed)';
  stop = true;
  if (!started) process.exit(0);
  setTimeout(() => process.exit(1), PARENT_GONE_GRACE_MS).unref();
}
process.on('disconnect', parentGone);
setInterval(() => process.ppid !== parentPid && parentGone(), 1000).unref();

port.onMessage((message) => {
  const m = message as StartMessage | { type: 'stop' };
  if (m.type === 'stop') {
    stop = true;
    return;
  }
  if (m.type !== 'start' || started) return;
  started = true;
  const project = Project.open(m.projectDir);
  train(project, m.run, m.options, { emit, stopRequested: () => stop, stopReason: () => stopReason }, m.resume)
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

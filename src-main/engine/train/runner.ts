/**
 * The parent side of training: creates the run, starts the trainer process, relays its
 * events, and turns a crash of that process into a failed run with a clear message.
 */
import type { ChildProcess } from 'node:child_process';
import type { TrainEvent, TrainOptions } from '../../shared/training.js';
import { isProcessAlive } from '../files.js';
import { Project } from '../project.js';
import { forkEntry } from './childEntry.js';
import { isBackboneRun, notAClassifier } from '../predict/backbone.js';
import { transferProblem } from '../../shared/transfer.js';

/** Starts the trainer process; Electron passes one that uses utilityProcess. */
export type Launcher = () => { send(m: unknown): void; onMessage(fn: (m: unknown) => void): void; onExit(fn: (code: number | null, signal: string | null) => void): void; kill(): void };

export const forkLauncher: Launcher = () => {
  const child: ChildProcess = forkEntry('trainerProcess.ts');
  return {
    send: (m) => child.connected && child.send(m as object),
    onMessage: (fn) => child.on('message', fn),
    onExit: (fn) => child.on('exit', fn),
    kill: () => child.kill('SIGKILL'),
  };
};

export interface TrainerHandle {
  run: string;
  stop(): void;
  /** resolves with the last event: `done` or `error` */
  finished: Promise<Extract<TrainEvent, { type: 'done' | 'error' }>>;
}

export function newRunId(model: string, now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}-${model}`;
}

export function startTrainer(project: Project, options: TrainOptions, onEvent: (e: TrainEvent) => void, resumeRun?: string, launch: Launcher = forkLauncher): TrainerHandle {
  let run: string;
  let runOptions = options;
  if (resumeRun) {
    const row = project.runs.get(resumeRun);
    if (!row) throw new Error(`there is no run "${resumeRun}" in this project (shiwake runs lists them)`);
    if (isBackboneRun(row)) throw notAClassifier(resumeRun);
    if (row.state === 'running' && row.pid && isProcessAlive(row.pid)) throw new Error(`run ${resumeRun} is still running (process ${row.pid})`);
    if (row.state === 'done') throw new Error(`run ${resumeRun} has finished; start a new run instead`);
    run = resumeRun;
    const { failAtStep: _testHook, ...stored } = JSON.parse(row.options) as TrainOptions; // a test's simulated failure is not part of the run
    runOptions = { ...stored, ...stripUndefined(options), model: row.model as TrainOptions['model'] };
  } else {
    // refused here, before a run exists, rather than as a failed run (the trainer checks again)
    const problem = transferProblem(options);
    if (problem) throw new Error(problem);
    run = newRunId(options.backbone ? 'transfer' : options.model);
    project.runs.create(run, options.model, options, options.name?.trim() || null);
  }
  const child = launch();
  let settled = false;
  const finished = new Promise<Extract<TrainEvent, { type: 'done' | 'error' }>>((resolve) => {
    child.onMessage((m) => {
      const event = m as TrainEvent;
      onEvent(event);
      if (event.type === 'done' || event.type === 'error') {
        settled = true;
        resolve(event);
      }
    });
    child.onExit((code, signal) => {
      if (settled) return;
      settled = true;
      const message = `the trainer process ended unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}; out of memory?). The last checkpoint is kept: resume continues from it.`;
      const db = Project.open(project.dir);
      try {
        db.runs.setState(run, 'failed', { message, pid: null });
      } finally {
        db.close();
      }
      const event = { type: 'error' as const, run, message };
      onEvent(event);
      resolve(event);
    });
  });
  child.send({ type: 'start', projectDir: project.dir, run, options: runOptions, resume: resumeRun !== undefined });
  return { run, stop: () => child.send({ type: 'stop' }), finished };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

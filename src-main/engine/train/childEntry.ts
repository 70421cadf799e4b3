/**
 * Starts one of the engine's TypeScript entry points (trainer, backend probe) as a Node
 * child process with an IPC channel, through tsx as `bin/shiwake.mjs` does, so no build step
 * is needed. process.execPath is Node.js itself: the engine runs on Node even under Electron
 * (`shiwake host`).
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** `serialization: 'advanced'` carries typed arrays (embeddings) through IPC as they are, not as JSON. */
export function forkEntry(file: string, stdio: StdioOptions = ['ignore', 'inherit', 'inherit', 'ipc'], env: NodeJS.ProcessEnv = process.env, serialization: 'json' | 'advanced' = 'json'): ChildProcess {
  const entry = path.isAbsolute(file) ? file : path.join(import.meta.dirname, file); // relative: an entry of this folder
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  return fork(entry, [], { execArgv: ['--import', tsx], stdio, env, serialization });
}

export interface ChildQuestion {
  /** what a person reads in errors: "the training backend probe", "the backbone check" */
  what: string;
  /** sent to the child once it starts, when it waits for one */
  message?: unknown;
  timeoutMs: number;
  /** the error when no answer came in time */
  timeoutError: string;
  /** prefixes the child's own error message, e.g. "the training backend probe failed: " */
  failurePrefix?: string;
}

/**
 * A short-lived child that answers one question with `{ ok: true, info }` or `{ ok: false, error }`
 * (the backend probe, a backbone's inspection): its answer, or an error that says why none came
 * (its last line on stderr when it died, the time when it hung). The child is killed either way.
 */
export function askChild<T>(file: string, q: ChildQuestion): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = forkEntry(file, ['ignore', 'ignore', 'pipe', 'ipc']);
    let stderr = '';
    let done = false;
    const finish = (err: Error | null, info?: T): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(info!);
    };
    const timer = setTimeout(() => finish(new Error(q.timeoutError)), q.timeoutMs);
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('message', (m: { ok: true; info: T } | { ok: false; error: string }) => (m.ok ? finish(null, m.info) : finish(new Error(`${q.failurePrefix ?? ''}${m.error}`))));
    child.on('error', (err) => finish(new Error(`cannot start ${q.what}: ${err.message}`)));
    child.on('exit', (code, signal) => finish(new Error(`${q.what} ended without an answer (${signal ?? `exit code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`)));
    if (q.message !== undefined) child.send(q.message as object);
  });
}

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

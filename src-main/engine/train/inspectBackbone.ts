/**
 * The studio's backbone "check": a child process (inspectProcess.ts) loads the model and
 * answers, so the engine process never loads TensorFlow.js (as probe.ts does for backends).
 */
import path from 'node:path';
import type { BackboneInfo } from '../../shared/transfer.js';
import { forkEntry } from './childEntry.js';

const TIMEOUT_MS = 120_000;

export function inspectBackbone(location: string): Promise<BackboneInfo> {
  // a URL as given; a folder (or its model.json) made absolute, so the child reads what the user meant
  const where = /^https?:\/\//.test(location) ? location : path.resolve(location);
  return new Promise((resolve, reject) => {
    const child = forkEntry('inspectProcess.ts', ['ignore', 'ignore', 'pipe', 'ipc']);
    let stderr = '';
    let done = false;
    const finish = (err: Error | null, info?: BackboneInfo): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(info!);
    };
    const timer = setTimeout(() => finish(new Error(`checking the backbone at ${where} took over ${TIMEOUT_MS / 1000} s (a slow URL?)`)), TIMEOUT_MS);
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('message', (m: { ok: true; info: BackboneInfo } | { ok: false; error: string }) => (m.ok ? finish(null, m.info) : finish(new Error(m.error))));
    child.on('error', (err) => finish(new Error(`cannot start the backbone check: ${err.message}`)));
    child.on('exit', (code, signal) => finish(new Error(`the backbone check ended without an answer (${signal ?? `exit code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`)));
    child.send({ location: where });
  });
}

/**
 * The engine host for the Electron shell: the Studio runs here, in the system's Node.js,
 * so native modules (better-sqlite3, sharp) load with the ABI they were built for, and
 * Electron's main process holds no database. The shell forwards each contract call and
 * media request over this process's IPC channel; events flow back the same way.
 * Started by `shiwake host` (src-main/index.ts does it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMethod, type EventName, type Events } from '../shared/contract.js';
import { Studio } from '../engine/studio/studio.js';

export type HostRequest =
  | { id: number; kind: 'call'; method: string; args: unknown }
  | { id: number; kind: 'media'; what: 'thumb' | 'preview'; project: string; item: number }
  | { id: number; kind: 'reply'; value: unknown };

export type HostMessage =
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'media'; id: number; status: number; type: string; body: Uint8Array | string }
  | { kind: 'event'; event: EventName; payload: unknown }
  | { kind: 'ask'; id: number; question: 'pickFolder' | 'pickFiles' };

export async function runHost(options: { version: string; sampleDir?: string }): Promise<void> {
  const send = (m: HostMessage): void => void process.send?.(m);
  const asks = new Map<number, (value: unknown) => void>();
  let nextAsk = 1;
  const ask = (question: 'pickFolder' | 'pickFiles'): Promise<unknown> =>
    new Promise((resolve) => {
      const id = nextAsk++;
      asks.set(id, resolve);
      send({ kind: 'ask', id, question });
    });
  const studio = new Studio(
    { mode: 'electron', version: options.version, sampleDir: options.sampleDir, pickFolder: () => ask('pickFolder') as Promise<string | null>, pickFiles: () => ask('pickFiles') as Promise<string[] | null> },
    <E extends EventName>(event: E, payload: Events[E]) => send({ kind: 'event', event, payload }),
  );

  process.on('message', (raw) => {
    const m = raw as HostRequest;
    if (m.kind === 'reply') {
      asks.get(m.id)?.(m.value);
      asks.delete(m.id);
    } else if (m.kind === 'call') {
      const work = isMethod(m.method) ? studio.handle(m.method, m.args) : Promise.resolve({ ok: false, error: `unknown method "${m.method}"` });
      void work.then((value) => send({ kind: 'result', id: m.id, value }));
    } else if (m.kind === 'media') {
      void studio.media(m.what, m.item, m.project).then(
        (r) => send({ kind: 'media', id: m.id, ...r }),
        (err: Error) => send({ kind: 'media', id: m.id, status: 422, type: 'text/plain', body: err.message }),
      );
    }
  });
  // the shell went away: close the project cleanly (training stops at a checkpoint)
  await new Promise<void>((resolve) => process.on('disconnect', resolve));
  await studio.closeProject();
}

export function sampleDirFrom(repoRoot: string): string | undefined {
  const dir = path.join(repoRoot, 'resources/sample-fashion-mnist');
  return fs.existsSync(dir) ? dir : undefined;
}

/**
 * The engine host the Electron shell talks to (`shiwake host`), driven over its IPC channel
 * exactly as src-main/index.ts does: calls, media requests, events and the folder question.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostMessage, HostRequest } from '../../src-main/server/hostProcess.js';
import { REPO, shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const host = fork(path.join(REPO, 'bin/shiwake.mjs'), ['host'], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, SHIWAKE_HOME: path.join(tmp, 'home') } });
const messages: HostMessage[] = [];
host.on('message', (m) => messages.push(m as HostMessage));
afterAll(() => host.kill());

let id = 1;
function ask(m: Record<string, unknown>): Promise<HostMessage> {
  const mine = id++;
  host.send({ ...m, id: mine } as HostRequest);
  return new Promise((resolve) => {
    const check = (raw: unknown): void => {
      const msg = raw as HostMessage;
      if ('id' in msg && msg.id === mine && msg.kind !== 'ask') {
        host.off('message', check);
        resolve(msg);
      }
    };
    host.on('message', check);
  });
}

describe('engine host for Electron', () => {
  it('answers contract calls, serves thumbnails and forwards events', async () => {
    const root = path.join(tmp, 'data');
    await writeImage(path.join(root, 'Cats/a.jpg'), { width: 64, height: 48 });
    const projectDir = path.join(tmp, 'project');
    shiwakeJson(['import', root, '--project', projectDir]);

    const info = await ask({ kind: 'call', method: 'app.info', args: {} });
    expect(info).toMatchObject({ kind: 'result', value: { ok: true, value: { mode: 'electron', project: null } } });
    const bad = await ask({ kind: 'call', method: 'items.page', args: { filter: {}, offset: -1, limit: 1 } });
    expect(bad).toMatchObject({ value: { ok: false, error: expect.stringMatching(/^items\.page: /) } });

    const opened = await ask({ kind: 'call', method: 'project.open', args: { dir: projectDir } });
    expect(opened).toMatchObject({ value: { ok: true, value: { name: 'data' } } });
    expect(messages.some((m) => m.kind === 'event' && m.event === 'onProjectChanged')).toBe(true);

    const key = (opened as { value: { value: { key: string } } }).value.value.key;
    const thumb = await ask({ kind: 'media', what: 'thumb', project: key, item: 1 });
    expect(thumb).toMatchObject({ kind: 'media', status: 200, type: 'image/webp' });
    expect((thumb as { body: Uint8Array }).body.length).toBeGreaterThan(50);
    expect(await ask({ kind: 'media', what: 'thumb', project: key, item: 999 })).toMatchObject({ status: 404 });
    // shiwake-media: URLs name the project too: a window still showing another project gets nothing
    expect(await ask({ kind: 'media', what: 'thumb', project: 'another-project', item: 1 })).toMatchObject({ status: 404 });
  });

  it('asks the shell for the native folder dialog and gets the answer back', async () => {
    const question = new Promise<HostMessage>((resolve) => host.on('message', (m) => (m as HostMessage).kind === 'ask' && resolve(m as HostMessage)));
    const answer = ask({ kind: 'call', method: 'dialog.pickFolder', args: {} });
    const q = (await question) as Extract<HostMessage, { kind: 'ask' }>;
    expect(q.question).toBe('pickFolder');
    host.send({ kind: 'reply', id: q.id, value: '/some/folder' } satisfies HostRequest);
    expect(await answer).toMatchObject({ value: { ok: true, value: '/some/folder' } });
  });

  it('asks the shell for the native file dialog (images to classify) and gets the files back', async () => {
    const question = new Promise<HostMessage>((resolve) => host.on('message', (m) => (m as HostMessage).kind === 'ask' && resolve(m as HostMessage)));
    const answer = ask({ kind: 'call', method: 'dialog.pickFiles', args: {} });
    const q = (await question) as Extract<HostMessage, { kind: 'ask' }>;
    expect(q.question).toBe('pickFiles');
    host.send({ kind: 'reply', id: q.id, value: ['/a.jpg', '/b.png'] } satisfies HostRequest);
    expect(await answer).toMatchObject({ value: { ok: true, value: ['/a.jpg', '/b.png'] } });
  });
});

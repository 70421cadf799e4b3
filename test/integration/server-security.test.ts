import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { Project } from '../../src-main/engine/project.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
let server: RunningServer;
const renderer = path.join(tmp, 'renderer');

/** A raw request, so that Host and Origin can be anything (fetch would fix them). */
function request(pathAndQuery: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; body: string; bytes: Buffer; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, method, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, body: bytes.toString('utf8'), bytes, headers: res.headers });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

beforeAll(async () => {
  process.env.SHIWAKE_HOME = path.join(tmp, 'home');
  const root = path.join(tmp, 'data');
  await writeImage(path.join(root, 'Cats/a.jpg'));
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'do not serve me');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(root, 'Cats/escape.jpg'));
  // a real picture outside the dataset, reached through a link inside it
  await writeImage(path.join(tmp, 'private/holiday.jpg'), { seed: 9 });
  fs.symlinkSync(path.join(tmp, 'private/holiday.jpg'), path.join(root, 'Cats/linked.jpg'));
  const project = Project.openOrCreate(path.join(tmp, 'project'), root);
  await importDataset(project);
  project.close();
  // a second project whose first item has the same id as the first project's, but another picture
  await writeImage(path.join(tmp, 'data2/Dogs/b.jpg'), { seed: 40, width: 64, height: 20 });
  const other = Project.openOrCreate(path.join(tmp, 'project2'), path.join(tmp, 'data2'));
  await importDataset(other);
  other.close();
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>test</title>');
  server = await startServer({ port: 0, rendererDir: renderer, projectDir: path.join(tmp, 'project'), version: 'test' });
});
afterAll(() => server?.close());

const auth = () => ({ Authorization: `Bearer ${server.token}` });
async function api(method: string, args: unknown = {}): Promise<any> {
  const r = await request(`/api/${method}`, { ...auth(), 'Content-Type': 'application/json' }, 'POST', JSON.stringify(args));
  const answer = JSON.parse(r.body);
  if (!answer.ok) throw new Error(answer.error);
  return answer.value;
}
async function itemsOf(): Promise<{ id: number; path: string; size: number; mtimeMs: number }[]> {
  return api('items.page', { filter: { status: 'any' }, offset: 0, limit: 100 });
}

describe('browser-mode security', () => {
  it('prints a 127.0.0.1 URL with a token and serves the app with it', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    const r = await request(`/?token=${server.token}`);
    expect(r.status).toBe(200);
  });

  it('answers 401 without the token or with a wrong one', async () => {
    expect((await request('/')).status).toBe(401);
    expect((await request('/?token=nope')).status).toBe(401);
    expect((await request('/api/app.info', { 'Content-Type': 'application/json' }, 'POST', '{}')).status).toBe(401);
    expect((await request('/media/thumb/1')).status).toBe(401);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin (cross-site calls)', async () => {
    expect((await request(`/?token=${server.token}`, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await request('/api/app.info', { ...auth(), Origin: 'http://evil.example', 'Content-Type': 'application/json' }, 'POST', '{}')).status).toBe(403);
    const same = await request('/api/app.info', { ...auth(), Origin: `http://127.0.0.1:${server.port}`, 'Content-Type': 'application/json' }, 'POST', '{}');
    expect(same.status).toBe(200);
    expect(JSON.parse(same.body)).toMatchObject({ ok: true, value: { mode: 'browser', project: { name: 'data' } } });
  });

  it('serves files inside the dataset and refuses paths outside it', async () => {
    expect((await request('/media/file/Cats/a.jpg', auth())).status).toBe(200);
    for (const p of ['/media/file/../secret.txt', '/media/file/..%2F..%2Fsecret.txt', '/media/file/%2e%2e/%2e%2e/etc/passwd', `/media/file/${encodeURIComponent(path.join(tmp, 'secret.txt'))}`, '/media/file/Cats/escape.jpg']) {
      const r = await request(p, auth());
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(r.body).not.toContain('do not serve me');
    }
    expect((await request('/media/file/Cats/escape.jpg', auth())).body).toMatch(/refused: outside the dataset folder/);
  });

  it('confines thumbnails and previews to the dataset folder, as /media/file/ is', async () => {
    const { key } = (await api('app.info')).project;
    const items = await itemsOf();
    const a = items.find((i) => i.path === 'Cats/a.jpg')!;
    const linked = items.find((i) => i.path === 'Cats/linked.jpg')!;
    expect((await request(`/media/thumb/${key}/${a.id}`, auth())).status).toBe(200);
    expect((await request(`/media/preview/${key}/${a.id}`, auth())).status).toBe(200);
    for (const what of ['thumb', 'preview']) {
      const r = await request(`/media/${what}/${key}/${linked.id}`, auth());
      expect(r.status, what).toBe(403);
      expect(r.body).toMatch(/^refused: outside the dataset folder/);
    }
    // the link itself is no reason to call the item broken
    expect((await itemsOf()).find((i) => i.id === linked.id)).toMatchObject({ status: 'active' });
  });

  it('names the project and the file version in media URLs, so a cached picture is never another project\'s', async () => {
    const first = (await api('app.info')).project;
    const a = (await itemsOf()).find((i) => i.path === 'Cats/a.jpg')!;
    const url = `/media/thumb/${first.key}/${a.id}?v=${a.size}-${Math.round(a.mtimeMs)}`;
    const thumbA = await request(url, auth());
    expect(thumbA.status).toBe(200);
    expect(thumbA.headers['cache-control']).toMatch(/max-age/);
    expect((await request(`/media/thumb/${a.id}`, auth())).status).toBe(404); // the old, project-less shape

    await api('project.open', { dir: path.join(tmp, 'project2') });
    const second = (await api('app.info')).project;
    expect(second.key).toMatch(/^[0-9a-f]{16}$/);
    expect(second.key).not.toBe(first.key);
    const b = (await itemsOf())[0]!;
    expect(b.id).toBe(a.id); // the same id in both projects: only the key tells them apart
    // a page still showing the first project asks with its key: not found, never the other picture
    const stale = await request(url, auth());
    expect(stale.status).toBe(404);
    expect(stale.headers['cache-control']).toBe('no-store');
    const thumbB = await request(`/media/thumb/${second.key}/${b.id}?v=${b.size}-${Math.round(b.mtimeMs)}`, auth());
    expect(thumbB.status).toBe(200);
    expect(thumbB.bytes.equals(thumbA.bytes)).toBe(false);
    await api('project.open', { dir: path.join(tmp, 'project') });
    expect((await api('app.info')).project.key).toBe(first.key); // stable for a project
  });

  it('refuses a WebSocket without the token', async () => {
    const { WebSocket } = await import('ws');
    const code = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`);
      ws.on('open', () => resolve('open'));
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', () => resolve('error'));
    });
    expect(code).toBe('401');
  });
});

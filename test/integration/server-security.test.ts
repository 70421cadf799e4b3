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
function request(pathAndQuery: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, method, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: data }));
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
  const project = Project.openOrCreate(path.join(tmp, 'project'), root);
  await importDataset(project);
  project.close();
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>test</title>');
  server = await startServer({ port: 0, rendererDir: renderer, projectDir: path.join(tmp, 'project'), version: 'test' });
});
afterAll(() => server?.close());

const auth = () => ({ Authorization: `Bearer ${server.token}` });

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

/**
 * Browser mode: the studio over HTTP + WebSocket on 127.0.0.1 only. Serves the built
 * renderer, the contract at POST /api/<method>, events on /events, and images at /media/*:
 * /media/thumb/<project key>/<id>?v=<size>-<mtime> (and /media/preview/...), so a cached
 * picture is never one of another project or of an older version of the file.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { isMethod, type EventName, type Events } from '../shared/contract.js';
import { contentType, MediaAccessError, resolveDatasetFile } from '../engine/studio/media.js';
import { Studio } from '../engine/studio/studio.js';
import { isInside } from '../engine/paths.js';
import { checkRequest, COOKIE, newToken } from './security.js';

export interface ServeOptions {
  port: number;
  rendererDir: string;
  projectDir?: string;
  version: string;
  sampleDir?: string;
  /** the token to require (a restart that keeps open pages working, as tests do); random by default */
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  studio: Studio;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024 * 1024;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const sockets = new Set<WebSocket>();
  const emit = <E extends EventName>(event: E, payload: Events[E]): void => {
    const message = JSON.stringify({ event, payload });
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(message);
  };
  const studio = new Studio({ mode: 'browser', version: options.version, sampleDir: options.sampleDir }, emit);
  if (options.projectDir) await studio.openProject(options.projectDir);

  let port = 0;
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, 'text/plain', `internal error: ${(err as Error).message}`));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const verdict = checkRequest(req, url, token, port);
    if (!verdict.ok) return send(res, verdict.status, 'text/plain', verdict.reason);
    let p: string;
    try {
      p = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'text/plain', 'bad URL encoding');
    }
    if (p === '/favicon.ico') return send(res, 204, 'text/plain', '');
    if (req.method === 'POST' && p.startsWith('/api/')) return api(req, res, p.slice(5));
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    if (p.startsWith('/media/')) return media(res, p.slice(7));
    return staticFile(res, p, url.searchParams.has('token'));
  }

  async function api(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    if (!isMethod(method)) return sendJson(res, 404, { ok: false, error: `unknown method "${method}"` });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendJson(res, 415, { ok: false, error: 'send JSON (Content-Type: application/json)' });
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch {
      return sendJson(res, 400, { ok: false, error: `${method}: the body is not valid JSON` });
    }
    sendJson(res, 200, await studio.handle(method, body));
  }

  async function media(res: http.ServerResponse, rest: string): Promise<void> {
    const project = studio.current;
    if (!project) return send(res, 404, 'text/plain', 'no project is open');
    const [kind, ...parts] = rest.split('/');
    try {
      if (kind === 'thumb' || kind === 'preview') {
        if (parts.length !== 2) return send(res, 404, 'text/plain', `use /media/${kind}/<project key>/<item id>`);
        const answer = await studio.media(kind, Number(parts[1]), parts[0]!);
        return send(res, answer.status, answer.type, answer.body, answer.status === 200 && kind === 'thumb' ? 'private, max-age=86400' : 'no-store');
      }
      if (kind === 'file') {
        const file = resolveDatasetFile(project, parts.join('/'));
        return send(res, 200, contentType(file), await fs.promises.readFile(file));
      }
      return send(res, 404, 'text/plain', 'unknown media route');
    } catch (err) {
      if (err instanceof MediaAccessError) return send(res, 403, 'text/plain', `refused: ${err.message}`);
      return send(res, 422, 'text/plain', (err as Error).message);
    }
  }

  async function staticFile(res: http.ServerResponse, p: string, setCookie: boolean): Promise<void> {
    const rel = p === '/' ? 'index.html' : p.slice(1);
    const file = path.resolve(options.rendererDir, rel);
    if (!isInside(file, options.rendererDir)) return send(res, 403, 'text/plain', 'refused');
    const data = await fs.promises.readFile(file).catch(() => undefined);
    if (!data) return send(res, 404, 'text/plain', 'not found');
    if (setCookie) res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    if (rel === 'index.html') {
      res.setHeader(
        'Content-Security-Policy',
        `default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
      );
    }
    send(res, 200, STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream', data);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const verdict = checkRequest(req, url, token, port);
    if (!verdict.ok || url.pathname !== '/events') {
      socket.end(`HTTP/1.1 ${verdict.ok ? 404 : verdict.status} Refused\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  return {
    url,
    port,
    token,
    studio,
    async close() {
      for (const s of sockets) s.terminate();
      wss.close();
      await studio.closeProject();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // a request still in flight (a backend probe) does not hold the close
      await closed;
    },
  };
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-store'): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Browser mode's guards: a random token (URL once, then an HttpOnly SameSite=Strict cookie),
 * a Host check against DNS rebinding, and an Origin check against cross-site calls.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'shiwake_token';

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function tokenFrom(req: IncomingMessage, url: URL): string | undefined {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const cookie = req.headers.cookie?.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${COOKIE}=`));
  return cookie?.slice(COOKIE.length + 1);
}

export function checkRequest(req: IncomingMessage, url: URL, token: string, port: number): Verdict {
  const hosts = allowedHosts(port);
  if (!req.headers.host || !hosts.has(req.headers.host)) return { ok: false, status: 403, reason: 'unexpected Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined && ![...hosts].some((h) => origin === `http://${h}`)) return { ok: false, status: 403, reason: 'cross-origin request refused' };
  const given = tokenFrom(req, url);
  if (!given || !safeEqual(given, token)) return { ok: false, status: 401, reason: 'missing or wrong token: open the URL that `shiwake serve` printed' };
  return { ok: true };
}

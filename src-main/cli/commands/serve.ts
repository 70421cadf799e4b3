import fs from 'node:fs';
import path from 'node:path';
import { optionalNumber, type Command } from '../command.js';
import { say } from '../output.js';

const STOP_GRACE_MS = 10_000;

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const RENDERER_DIR = path.join(REPO_ROOT, 'out/renderer');

/** Shiwake's version, from its package.json: the studio shows it, in browser mode and in the Electron shell. */
export function appVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Builds the renderer when it has not been built yet (a fresh clone). */
export async function ensureRendererBuilt(): Promise<void> {
  if (fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) return;
  process.stderr.write('building the studio (first run)...\n');
  const { buildStudio } = await import('../../../bin/build.mjs');
  if (!buildStudio()) throw new Error('the studio did not build (see above)');
}

export const serveCommand: Command = {
  name: 'serve',
  usage: 'shiwake serve [--project <dir>] [--port N]',
  summary: 'browser mode: serve the studio on 127.0.0.1 and print its URL (--port 0 picks a free port)',
  options: { project: { type: 'string' }, port: { type: 'string' } },
  async run(values) {
    const port = optionalNumber(values, 'port', (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a port number (0 picks a free one)') ?? 4173;
    await ensureRendererBuilt();
    // the studio's engine loads only here: every other command starts without it (about 0.5 s)
    const { startServer } = await import('../../server/server.js');
    const options = { port, rendererDir: RENDERER_DIR, projectDir: values.project as string | undefined, version: appVersion() };
    const server = await startServer(options).catch((err: NodeJS.ErrnoException) => {
      // the default port is taken (another studio?): take any free one rather than fail
      if (err.code === 'EADDRINUSE' && values.port === undefined) return startServer({ ...options, port: 0 });
      throw err.code === 'EADDRINUSE' ? new Error(`port ${port} is in use; choose another with --port (0 picks a free one)`) : err;
    });
    say(server.url);
    process.stderr.write('Shiwake studio in browser mode: open the URL above (only this machine can reach it). Ctrl+C stops.\n');
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    // A second Ctrl+C, or a close that takes too long, ends the process anyway: a browser still
    // holding a request or a backend probe still starting must not keep a stopped studio alive.
    const force = (why: string) => (): void => {
      process.stderr.write(`${why}: exiting now\n`);
      process.exit(130);
    };
    process.once('SIGINT', force('stopped again'));
    process.once('SIGTERM', force('stopped again'));
    setTimeout(force(`the studio did not close within ${STOP_GRACE_MS / 1000} s`), STOP_GRACE_MS).unref();
    await server.close();
    process.exit(); // the project is closed; workers and probes still starting have nothing left to serve
  },
};

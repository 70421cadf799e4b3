import type { Command } from '../command.js';
import { appVersion, REPO_ROOT } from './serve.js';

/** Not for people: the Electron shell starts this to run the engine in the system's Node.js. */
export const hostCommand: Command = {
  name: 'host',
  usage: 'shiwake host (started by the Electron shell, over an IPC channel)',
  summary: 'engine host for the Electron shell (internal)',
  options: {},
  async run() {
    if (!process.send) throw new Error('shiwake host is started by the Electron shell (it needs an IPC channel); use `npm start` or `shiwake serve`');
    const { runHost, sampleDirFrom } = await import('../../server/hostProcess.js'); // the studio's engine: only this command needs it
    await runHost({ version: appVersion(), sampleDir: sampleDirFrom(REPO_ROOT) });
  },
};

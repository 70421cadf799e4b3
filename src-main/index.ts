/**
 * Electron composition root: one sandboxed window, the contract over IPC, images through the
 * shiwake-media: protocol, and the application menu. The engine itself runs in a host process
 * on the system's Node.js (`shiwake host`), so its native modules never need rebuilding for
 * Electron and a crash there cannot take the window with it; this file only forwards.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, shell, type MenuItemConstructorOptions } from 'electron';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CALL_CHANNEL, EVENT_CHANNEL } from './shared/channels.js';
import { accelerator, menuCommands, type CommandSpec } from './shared/commands.js';
import { isMethod, type MenuCommand } from './shared/contract.js';
import type { HostMessage, HostRequest } from './server/hostProcess.js';

protocol.registerSchemesAsPrivileged([{ scheme: 'shiwake-media', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let win: BrowserWindow | null = null;
const rendererIndex = path.join(import.meta.dirname, '../renderer/index.html');
const pending = new Map<number, (m: HostMessage) => void>();
let nextId = 1;

function startHost(): ChildProcess {
  // npm start passes the Node.js it runs on; otherwise the one on PATH
  const node = process.env.SHIWAKE_NODE ?? 'node';
  const host = spawn(node, [path.join(app.getAppPath(), 'bin/shiwake.mjs'), 'host'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  host.on('message', (raw) => {
    const m = raw as HostMessage;
    if (m.kind === 'event') win?.webContents.send(EVENT_CHANNEL, { event: m.event, payload: m.payload });
    else if (m.kind === 'ask') void askUser(m.id, m.question);
    else {
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    }
  });
  host.on('exit', (code) => {
    for (const resolve of pending.values()) resolve({ kind: 'result', id: 0, value: { ok: false, error: `the Shiwake engine stopped (exit code ${code}); restart the app` } });
    pending.clear();
    if (!quitting) dialog.showErrorBox('Shiwake', `The Shiwake engine stopped unexpectedly (exit code ${code}). Your labels are safe in the project database; restart Shiwake.`);
  });
  return host;
}

let quitting = false;
const host = startHost();

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

function request(message: WithoutId<Extract<HostRequest, { kind: 'call' | 'media' }>>): Promise<HostMessage> {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    host.send({ ...message, id });
  });
}

async function askUser(id: number, question: 'pickFolder' | 'pickFiles'): Promise<void> {
  const files = question === 'pickFiles';
  const options: Electron.OpenDialogOptions = files
    ? { title: 'Images to classify', properties: ['openFile', 'multiSelections'], filters: [{ name: 'Images', extensions: ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'avif', 'bmp'] }, { name: 'All files', extensions: ['*'] }] }
    : { title: 'Open a dataset folder', properties: ['openDirectory'] };
  const r = win ? await dialog.showOpenDialog(win, options) : { canceled: true, filePaths: [] };
  const value = r.canceled ? null : files ? r.filePaths : (r.filePaths[0] ?? null);
  host.send({ kind: 'reply', id, value } satisfies HostRequest);
}

function menuCommand(command: MenuCommand): void {
  win?.webContents.send(EVENT_CHANNEL, { event: 'onMenuCommand', payload: { command } });
}

function buildMenu(): void {
  // the studio's own items come from the one command table (shared/commands.ts); the page
  // handles every key (so text fields keep theirs), the menu shows them and sends the command
  const items = (menu: NonNullable<CommandSpec['menu']>): MenuItemConstructorOptions[] =>
    menuCommands(menu).map((c) => ({ label: c.label, accelerator: c.shortcuts[0] && accelerator(c.shortcuts[0]), registerAccelerator: false, click: () => menuCommand(c.id as MenuCommand) }));
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [...items('File'), { type: 'separator' }, { role: 'quit' }] },
    { label: 'Edit', submenu: [...items('Edit'), { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }] },
    { label: 'Items', submenu: items('Items') },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' }] },
    { label: 'Help', submenu: items('Help') },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** shiwake-media://thumb/<project key>/<item id>?v=<size>-<mtime> (or preview): the same shape as browser mode's /media/thumb/... */
async function serveMedia(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const [project, id] = url.pathname.replace(/^\//, '').split('/');
  const item = Number(id);
  if ((url.hostname !== 'thumb' && url.hostname !== 'preview') || !project || !Number.isInteger(item)) return new Response('refused', { status: 403 });
  const m = await request({ kind: 'media', what: url.hostname, project, item });
  if (m.kind !== 'media') return new Response('engine error', { status: 500 });
  return new Response(typeof m.body === 'string' ? m.body : new Uint8Array(m.body), { status: m.status, headers: { 'Content-Type': m.type } });
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Shiwake',
    show: false,
    webPreferences: { preload: path.join(import.meta.dirname, '../preload/index.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
  });
  win.once('ready-to-show', () => win?.show());
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void win.loadFile(rendererIndex);
  win.on('closed', () => (win = null));
}

app.whenReady().then(() => {
  protocol.handle('shiwake-media', serveMedia);
  ipcMain.handle(CALL_CHANNEL, async (event, method: unknown, args: unknown) => {
    if (event.senderFrame?.url !== pathToFileURL(rendererIndex).href) return { ok: false, error: 'refused: unknown sender' };
    if (typeof method !== 'string' || !isMethod(method)) return { ok: false, error: `unknown method "${String(method)}"` };
    const m = await request({ kind: 'call', method, args });
    return m.kind === 'result' ? m.value : { ok: false, error: 'engine error' };
  });
  buildMenu();
  createWindow();
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
});

app.on('web-contents-created', (_e, contents) => contents.on('will-attach-webview', (e) => e.preventDefault()));
app.on('window-all-closed', () => {
  quitting = true;
  host.disconnect(); // the host closes the project, stopping any training at a checkpoint
  host.once('exit', () => app.quit());
  setTimeout(() => app.quit(), 15_000);
});

/**
 * Electron composition root: one sandboxed window, the contract over IPC, images through
 * the shiwake-media: protocol (only files of the open project), and the application menu.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, shell, utilityProcess, type MenuItemConstructorOptions } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CALL_CHANNEL, EVENT_CHANNEL } from './shared/channels.js';
import { isMethod, type EventName, type Events, type MenuCommand } from './shared/contract.js';
import { itemFile } from './engine/dataset/sources.js';
import { makePreview } from './engine/images/decode.js';
import { Studio } from './engine/studio/studio.js';

protocol.registerSchemesAsPrivileged([{ scheme: 'shiwake-media', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let win: BrowserWindow | null = null;
const rendererIndex = path.join(import.meta.dirname, '../renderer/index.html');

const studio = new Studio(
  {
    mode: 'electron',
    version: app.getVersion(),
    sampleDir: path.join(app.getAppPath(), 'resources/sample-fashion-mnist'),
    // training runs in a utility process: a crash or OOM in TensorFlow cannot take the window down
    launchTrainer: () => {
      const child = utilityProcess.fork(path.join(import.meta.dirname, 'trainer.js'), [], { serviceName: 'Shiwake trainer' });
      return {
        send: (m) => child.postMessage(m),
        onMessage: (fn) => child.on('message', fn),
        onExit: (fn) => child.on('exit', (code) => fn(code, null)),
        kill: () => child.kill(),
      };
    },
    async pickFolder() {
      const r = await dialog.showOpenDialog(win!, { title: 'Open a dataset folder', properties: ['openDirectory'] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  },
  <E extends EventName>(event: E, payload: Events[E]) => win?.webContents.send(EVENT_CHANNEL, { event, payload }),
);

function menuCommand(command: MenuCommand): void {
  win?.webContents.send(EVENT_CHANNEL, { event: 'onMenuCommand', payload: { command } });
}

function buildMenu(): void {
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({ label, accelerator, click: () => menuCommand(command) });
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [item('Open Dataset Folder…', 'openFolder', 'CmdOrCtrl+O'), item('Open Sample Dataset', 'openSample'), { type: 'separator' }, { role: 'quit' }] },
    // Undo/Redo act on labels; their keys are handled by the page so that text fields keep theirs.
    { label: 'Edit', submenu: [item('Undo Label Change', 'undo'), item('Redo Label Change', 'redo'), { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, item('Select All Items', 'selectAll')] },
    { label: 'Items', submenu: [item('Move to Category…   M', 'move'), item('Exclude / Restore   X', 'exclude')] },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' }] },
    { label: 'Help', submenu: [item('Keyboard Shortcuts   ?', 'help')] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function serveMedia(request: Request): Promise<Response> {
  const project = studio.current;
  const url = new URL(request.url);
  const id = Number(url.pathname.replace(/^\//, ''));
  const item = project && Number.isInteger(id) ? project.items.get(id) : undefined;
  if (!project || !item) return new Response('not found', { status: 404 });
  if (url.hostname === 'thumb') {
    const thumb = await studio.thumbnails!.get(id);
    return Buffer.isBuffer(thumb) ? new Response(new Uint8Array(thumb), { headers: { 'Content-Type': 'image/webp' } }) : new Response(thumb.error, { status: 422 });
  }
  if (url.hostname === 'preview' && (item.status === 'active' || item.status === 'excluded')) {
    const preview = await makePreview(itemFile(project.datasetRoot, item.path), item.format);
    return new Response(new Uint8Array(preview.data), { headers: { 'Content-Type': preview.type } });
  }
  return new Response('refused', { status: 403 });
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
  ipcMain.handle(CALL_CHANNEL, (event, method: unknown, args: unknown) => {
    if (event.senderFrame?.url !== pathToFileURL(rendererIndex).href) return { ok: false, error: 'refused: unknown sender' };
    if (typeof method !== 'string' || !isMethod(method)) return { ok: false, error: `unknown method "${String(method)}"` };
    return studio.handle(method, args);
  });
  buildMenu();
  createWindow();
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
});

app.on('web-contents-created', (_e, contents) => contents.on('will-attach-webview', (e) => e.preventDefault()));
app.on('window-all-closed', () => {
  void studio.closeProject().finally(() => app.quit());
});

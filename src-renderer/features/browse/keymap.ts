/**
 * The browse view's keyboard map: one table, used by the key handler and by the `?` overlay.
 * Each entry names a command; the view supplies what the command does.
 */
export type BrowseCommand =
  | 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end'
  | 'selectAll' | 'preview' | 'move' | 'moveRecent' | 'exclude' | 'undo' | 'redo' | 'filterTree' | 'help' | 'clear';

export interface KeyBinding {
  keys: string;
  command: BrowseCommand;
  label: string;
  match: (e: KeyboardEvent) => boolean;
}

const mod = (e: KeyboardEvent): boolean => e.ctrlKey || e.metaKey;
const key = (k: string) => (e: KeyboardEvent) => e.key === k && !mod(e);

export const keymap: KeyBinding[] = [
  { keys: '← → ↑ ↓', command: 'left', label: 'move the cursor (Shift extends the selection)', match: key('ArrowLeft') },
  { keys: '', command: 'right', label: '', match: key('ArrowRight') },
  { keys: '', command: 'up', label: '', match: key('ArrowUp') },
  { keys: '', command: 'down', label: '', match: key('ArrowDown') },
  { keys: 'PageUp PageDown', command: 'pageUp', label: 'a screen up or down', match: key('PageUp') },
  { keys: '', command: 'pageDown', label: '', match: key('PageDown') },
  { keys: 'Home End', command: 'home', label: 'first or last item', match: key('Home') },
  { keys: '', command: 'end', label: '', match: key('End') },
  { keys: 'Ctrl/Cmd+A', command: 'selectAll', label: 'select everything in this view', match: (e) => mod(e) && e.key.toLowerCase() === 'a' },
  { keys: 'Space', command: 'preview', label: 'large preview of the cursor item', match: key(' ') },
  { keys: 'M  or  Ctrl/Cmd+K', command: 'move', label: 'move the selection to a category', match: (e) => (key('m')(e) || (mod(e) && e.key.toLowerCase() === 'k')) },
  { keys: '1 … 9', command: 'moveRecent', label: 'move to one of the nine recent categories', match: (e) => !mod(e) && /^[1-9]$/.test(e.key) },
  { keys: 'X', command: 'exclude', label: 'exclude or restore the selection', match: key('x') },
  { keys: 'Ctrl/Cmd+Z', command: 'undo', label: 'undo', match: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'z' },
  { keys: 'Ctrl/Cmd+Shift+Z', command: 'redo', label: 'redo', match: (e) => mod(e) && e.shiftKey && e.key.toLowerCase() === 'z' },
  { keys: '/', command: 'filterTree', label: 'filter the category tree', match: key('/') },
  { keys: '?', command: 'help', label: 'this list', match: key('?') },
  { keys: 'Esc', command: 'clear', label: 'clear the selection', match: key('Escape') },
];

export function commandFor(e: KeyboardEvent): BrowseCommand | undefined {
  const target = e.target as HTMLElement | null;
  if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT')) return undefined;
  return keymap.find((b) => b.match(e))?.command;
}

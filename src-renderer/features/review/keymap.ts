/**
 * The review queue's keys: one table, read by the key handler and by the hint under the item.
 * Local to the view until the studio has one command registry; each entry names a command and
 * the view supplies what it does.
 */
export type ReviewCommand = 'accept' | 'keep' | 'exclude' | 'other' | 'next' | 'previous' | 'undo' | 'redo' | 'close';

export interface ReviewBinding {
  keys: string;
  command: ReviewCommand;
  label: string;
  match: (e: KeyboardEvent) => boolean;
}

const mod = (e: KeyboardEvent): boolean => e.ctrlKey || e.metaKey;
const key = (...keys: string[]) => (e: KeyboardEvent) => !mod(e) && !e.altKey && keys.includes(e.key);

export const reviewKeymap: ReviewBinding[] = [
  { keys: 'A', command: 'accept', label: 'accept the suggestion', match: key('a', 'A') },
  { keys: 'K', command: 'keep', label: 'keep the label', match: key('k', 'K') },
  { keys: 'X', command: 'exclude', label: 'exclude', match: key('x', 'X') },
  { keys: 'M or Ctrl/Cmd+K', command: 'other', label: 'neither: move to another category', match: (e) => key('m', 'M')(e) || (mod(e) && e.key.toLowerCase() === 'k') },
  { keys: '← →', command: 'previous', label: 'previous / next item without deciding', match: key('ArrowLeft') },
  { keys: '', command: 'next', label: '', match: key('ArrowRight') },
  { keys: 'Ctrl/Cmd+Z', command: 'undo', label: 'undo (the item comes back)', match: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'z' },
  { keys: 'Ctrl/Cmd+Shift+Z', command: 'redo', label: 'redo', match: (e) => mod(e) && e.shiftKey && e.key.toLowerCase() === 'z' },
  { keys: '', command: 'close', label: '', match: key('Escape') },
];

export function reviewCommandFor(e: KeyboardEvent): ReviewCommand | undefined {
  const target = e.target as HTMLElement | null;
  if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT')) return undefined;
  return reviewKeymap.find((b) => b.match(e))?.command;
}

/**
 * Every command of the studio, defined once: id, label, shortcuts, its place in the menu, and
 * when it is enabled. The Electron menu (src-main/index.ts), the page's keyboard handler, the
 * command palette and the `?` overlay all read this table; the renderer supplies what each
 * command does (src-renderer/commands/registry.ts). No DOM or Node types: plain data.
 */

/** A key as KeyboardEvent.key names it; `mod` is Ctrl (Cmd on a Mac); `shift: 'any'` lets Shift through (it extends a selection). */
export interface Shortcut {
  key: string;
  mod?: boolean;
  shift?: boolean | 'any';
}

/** always; with a project open; in the Browse view; in the Review view; in either of the two views that decide labels (`items`) */
export type When = 'always' | 'project' | 'browse' | 'review' | 'items';

export interface CommandSpec {
  id: string;
  label: string;
  shortcuts: readonly Shortcut[];
  when: When;
  menu?: 'File' | 'Edit' | 'Items' | 'Help';
  /** how the `?` overlay shows the keys when listing each would be noise ("1 … 9") */
  keysLabel?: string;
}

const nav = (key: string): Shortcut[] => [{ key, shift: 'any' }];

export const COMMANDS = [
  { id: 'openFolder', label: 'Open Dataset Folder…', shortcuts: [{ key: 'o', mod: true }], when: 'always', menu: 'File' },
  { id: 'openSample', label: 'Open Sample Dataset', shortcuts: [], when: 'always', menu: 'File' },
  { id: 'closeProject', label: 'Close Project', shortcuts: [], when: 'project', menu: 'File' },
  // Undo/Redo act on labels; the page handles their keys, so text fields keep their own undo
  { id: 'undo', label: 'Undo Label Change', shortcuts: [{ key: 'z', mod: true }], when: 'items', menu: 'Edit' },
  { id: 'redo', label: 'Redo Label Change', shortcuts: [{ key: 'z', mod: true, shift: true }], when: 'items', menu: 'Edit' },
  { id: 'selectAll', label: 'Select All Items', shortcuts: [{ key: 'a', mod: true }], when: 'browse', menu: 'Edit' },
  { id: 'move', label: 'Move to Category…', shortcuts: [{ key: 'm' }, { key: 'k', mod: true }], when: 'items', menu: 'Items' },
  { id: 'moveRecent', label: 'Move to a Recent Category', shortcuts: '123456789'.split('').map((key) => ({ key })), keysLabel: '1 … 9', when: 'browse' },
  { id: 'exclude', label: 'Exclude / Restore', shortcuts: [{ key: 'x' }], when: 'items', menu: 'Items' },
  // the review queue's decisions (X excludes, M moves elsewhere: the commands above)
  { id: 'accept', label: 'Accept the Suggestion (Review)', shortcuts: [{ key: 'a' }], when: 'review', menu: 'Items' },
  { id: 'keep', label: 'Keep the Label (Review)', shortcuts: [{ key: 'k' }], when: 'review', menu: 'Items' },
  { id: 'preview', label: 'Large Preview', shortcuts: [{ key: ' ' }], when: 'browse', menu: 'Items' },
  { id: 'left', label: 'Cursor Left (Shift extends the selection; Review: previous item)', shortcuts: nav('ArrowLeft'), when: 'items' },
  { id: 'right', label: 'Cursor Right (Review: next item)', shortcuts: nav('ArrowRight'), when: 'items' },
  { id: 'up', label: 'Cursor Up', shortcuts: nav('ArrowUp'), when: 'browse' },
  { id: 'down', label: 'Cursor Down', shortcuts: nav('ArrowDown'), when: 'browse' },
  { id: 'pageUp', label: 'A Screen Up', shortcuts: nav('PageUp'), when: 'browse' },
  { id: 'pageDown', label: 'A Screen Down', shortcuts: nav('PageDown'), when: 'browse' },
  { id: 'home', label: 'First Item', shortcuts: nav('Home'), when: 'browse' },
  { id: 'end', label: 'Last Item', shortcuts: nav('End'), when: 'browse' },
  { id: 'filterTree', label: 'Filter the Category Tree', shortcuts: [{ key: '/' }], when: 'browse' },
  { id: 'clear', label: 'Clear the Selection / Close', shortcuts: [{ key: 'Escape' }], when: 'always' },
  { id: 'palette', label: 'Command Palette…', shortcuts: [{ key: 'p', mod: true, shift: true }], when: 'always', menu: 'Help' },
  { id: 'help', label: 'Keyboard Shortcuts', shortcuts: [{ key: '?', shift: 'any' }], when: 'always', menu: 'Help' },
] as const satisfies readonly CommandSpec[];

export type CommandId = (typeof COMMANDS)[number]['id'];

export function commandSpec(id: CommandId): CommandSpec {
  return COMMANDS.find((c) => c.id === id)!;
}

/** The modifier and key state of a key press (a KeyboardEvent has all of these). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export function matches(s: Shortcut, e: KeyPress): boolean {
  const mod = e.ctrlKey || e.metaKey;
  if (mod !== (s.mod ?? false) || e.altKey) return false;
  if (s.shift !== 'any' && e.shiftKey !== (s.shift ?? false)) return false;
  // letters: Caps Lock (or Shift+letter) gives upper case; the shift check above already decided
  return s.key.length === 1 ? e.key.toLowerCase() === s.key : e.key === s.key;
}

export function commandForKey(e: KeyPress): CommandId | undefined {
  return COMMANDS.find((c) => c.shortcuts.some((s) => matches(s, e)))?.id;
}

const NAMES: Record<string, [shown: string, accelerator: string]> = {
  ArrowLeft: ['←', 'Left'], ArrowRight: ['→', 'Right'], ArrowUp: ['↑', 'Up'], ArrowDown: ['↓', 'Down'],
  ' ': ['Space', 'Space'], Escape: ['Esc', 'Esc'], PageUp: ['PageUp', 'PageUp'], PageDown: ['PageDown', 'PageDown'], Home: ['Home', 'Home'], End: ['End', 'End'],
};

/** How a person reads a shortcut: "Ctrl/Cmd+Shift+Z", "M", "←". */
export function shortcutLabel(s: Shortcut): string {
  return `${s.mod ? 'Ctrl/Cmd+' : ''}${s.shift === true ? 'Shift+' : ''}${NAMES[s.key]?.[0] ?? s.key.toUpperCase()}`;
}

/** The shortcut as an Electron accelerator ("CmdOrCtrl+Shift+Z"), shown in the menu. */
export function accelerator(s: Shortcut): string {
  return `${s.mod ? 'CmdOrCtrl+' : ''}${s.shift === true ? 'Shift+' : ''}${NAMES[s.key]?.[1] ?? s.key.toUpperCase()}`;
}

/** All of a command's keys for the `?` overlay and the palette. */
export function keysLabel(c: CommandSpec): string {
  return c.keysLabel ?? c.shortcuts.map(shortcutLabel).join('  or  ');
}

/** The commands of one menu, in table order. */
export function menuCommands(menu: NonNullable<CommandSpec['menu']>): CommandSpec[] {
  return COMMANDS.filter((c: CommandSpec) => c.menu === menu);
}

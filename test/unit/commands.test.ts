/** The one command table (src-main/shared/commands.ts): the keys people know still reach the same commands, and no key means two things. */
import { describe, expect, it } from 'vitest';
import { accelerator, COMMANDS, commandForKey, keysLabel, menuCommands, type KeyPress, type Shortcut } from '../../src-main/shared/commands.js';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('command table', () => {
  it('keeps every existing key on its command', () => {
    const expected: [KeyPress, string][] = [
      [press('ArrowLeft'), 'left'], [press('ArrowRight', { shiftKey: true }), 'right'], [press('ArrowUp'), 'up'], [press('ArrowDown'), 'down'],
      [press('PageUp'), 'pageUp'], [press('PageDown'), 'pageDown'], [press('Home'), 'home'], [press('End', { shiftKey: true }), 'end'],
      [press('a', { ctrlKey: true }), 'selectAll'], [press(' '), 'preview'], [press('m'), 'move'], [press('k', { metaKey: true }), 'move'],
      [press('3'), 'moveRecent'], [press('x'), 'exclude'], [press('X'), 'exclude'], [press('z', { ctrlKey: true }), 'undo'],
      [press('Z', { ctrlKey: true, shiftKey: true }), 'redo'], [press('/'), 'filterTree'], [press('?', { shiftKey: true }), 'help'],
      [press('Escape'), 'clear'], [press('o', { metaKey: true }), 'openFolder'], [press('P', { ctrlKey: true, shiftKey: true }), 'palette'],
      [press('a'), 'accept'], [press('K'), 'keep'],
    ];
    for (const [e, id] of expected) expect(commandForKey(e), JSON.stringify(e)).toBe(id);
    expect(commandForKey(press('m', { ctrlKey: true }))).toBeUndefined();
    expect(commandForKey(press('z'))).toBeUndefined();
    expect(commandForKey(press('x', { altKey: true }))).toBeUndefined();
  });

  it('defines each command once and gives no key two meanings', () => {
    const ids = COMMANDS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seen = new Map<string, string>();
    for (const c of COMMANDS) {
      for (const s of c.shortcuts as readonly Shortcut[]) {
        const k = JSON.stringify([s.key, s.mod ?? false, s.shift ?? false]);
        expect(seen.get(k), `${c.id} and ${seen.get(k)} share ${k}`).toBeUndefined();
        seen.set(k, c.id);
      }
    }
  });

  it('gives the menu its items with accelerators, and the overlay readable keys', () => {
    expect(menuCommands('File').map((c) => c.id)).toEqual(['openFolder', 'openSample', 'closeProject']);
    expect(accelerator(COMMANDS.find((c) => c.id === 'redo')!.shortcuts[0]!)).toBe('CmdOrCtrl+Shift+Z');
    expect(accelerator(COMMANDS.find((c) => c.id === 'move')!.shortcuts[0]!)).toBe('M');
    expect(keysLabel(COMMANDS.find((c) => c.id === 'move')!)).toBe('M  or  Ctrl/Cmd+K');
    expect(keysLabel(COMMANDS.find((c) => c.id === 'left')!)).toBe('←');
    expect(keysLabel(COMMANDS.find((c) => c.id === 'moveRecent')!)).toBe('1 … 9');
  });
});

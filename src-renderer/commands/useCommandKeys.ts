/** The one keyboard handler of the page, and the menu's commands (Electron), both through the registry. */
import { useEffect } from 'react';
import { commandForKey } from '../../src-main/shared/commands';
import { useEvent } from '../api/hooks';
import { runCommand } from './registry';

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

export function useCommandKeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (typingIn(e.target)) return; // text fields keep their keys (Esc in a field is the field's)
      const id = commandForKey(e);
      if (id && runCommand(id, e)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEvent('onMenuCommand', ({ command }) => void runCommand(command));
}

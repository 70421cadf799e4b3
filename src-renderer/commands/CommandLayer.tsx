import { useState } from 'react';
import type { CommandId } from '../../src-main/shared/commands';
import { call } from '../api/transport';
import { CommandPalette } from './CommandPalette';
import { HelpOverlay } from './HelpOverlay';
import { runCommand, useCommandHandlers } from './registry';
import { useCommandKeys } from './useCommandKeys';

/** Mounted once by App: the keyboard and menu dispatch, and the commands that belong to no view (help, palette, close). */
export function CommandLayer() {
  const [open, setOpen] = useState<'none' | 'help' | 'palette'>('none');
  useCommandKeys();
  useCommandHandlers({
    help: () => setOpen('help'),
    palette: () => setOpen('palette'),
    closeProject: () => void call('project.close', {}),
    // while an overlay of this layer is open, Esc closes it (the latest registration wins over the view's Esc)
    clear: open === 'none' ? undefined : () => setOpen('none'),
  });
  const runFromPalette = (id: CommandId): void => {
    setOpen('none');
    // after the palette closes, so the command sees the page, not the palette
    setTimeout(() => runCommand(id), 0);
  };
  if (open === 'help') return <HelpOverlay onClose={() => setOpen('none')} />;
  if (open === 'palette') return <CommandPalette onRun={runFromPalette} onClose={() => setOpen('none')} />;
  return null;
}

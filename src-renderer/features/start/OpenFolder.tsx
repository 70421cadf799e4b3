import { useState } from 'react';
import { call } from '../../api/transport';
import { useCommandHandlers } from '../../commands/registry';
import { useNotify } from '../../components/Toasts';
import { FolderPicker } from './FolderPicker';

/**
 * "Open a dataset folder" and "open the sample", from anywhere (the start screen, the menu,
 * Ctrl/Cmd+O with a project open): mounted once by App. Electron shows the system dialog
 * first; the page's dialog then shows where the project will live, and lets it be changed.
 */
export function OpenFolder() {
  const notify = useNotify();
  const [picking, setPicking] = useState<{ dir?: string } | null>(null);
  const fail = (e: Error): void => notify(e.message, { kind: 'error' });
  const open = async (): Promise<void> => {
    const native = await call('dialog.pickFolder', {}); // Electron's dialog; null in browser mode (or cancelled)
    if (native !== null || !window.shiwake) setPicking(native ? { dir: native } : {});
  };
  useCommandHandlers({
    openFolder: () => void open().catch(fail),
    openSample: () => void call('project.openSample', {}).catch(fail),
  });
  if (!picking) return null;
  const pick = (datasetRoot: string, projectDir?: string): void => {
    setPicking(null);
    void call('project.openDataset', { datasetRoot, ...(projectDir ? { projectDir } : {}) }).catch(fail);
  };
  return <FolderPicker initialDir={picking.dir} onCancel={() => setPicking(null)} onPick={pick} />;
}

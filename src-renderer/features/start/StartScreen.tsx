import { useState } from 'react';
import { useEvent, useQuery } from '../../api/hooks';
import { call } from '../../api/transport';
import { useNotify } from '../../components/Toasts';
import { FolderPicker } from './FolderPicker';

/** No project open: open a dataset folder, a recent project, or the bundled sample. */
export function StartScreen() {
  const notify = useNotify();
  const [picking, setPicking] = useState(false);
  const recent = useQuery('project.recent', {});
  const fail = (e: Error): void => notify(e.message, { kind: 'error' });
  const openFolder = async (): Promise<void> => {
    const native = await call('dialog.pickFolder', {}); // Electron's dialog; null in browser mode
    if (native) await call('project.openDataset', { datasetRoot: native });
    else setPicking(true);
  };
  const openSample = (): void => void call('project.openSample', {}).catch(fail);
  useEvent('onMenuCommand', ({ command }) => (command === 'openFolder' ? void openFolder().catch(fail) : command === 'openSample' && openSample()));
  return (
    <div className="start">
      <h1>Shiwake <span className="muted">仕分け</span></h1>
      <p>Sort a folder of product photos into a clean, balanced dataset, then train on it.</p>
      <div className="start-actions">
        <button className="primary" onClick={() => void openFolder().catch(fail)} data-testid="open-folder">Open a dataset folder…</button>
        <button onClick={openSample} data-testid="open-sample">Try the sample dataset (300 Fashion-MNIST images)</button>
      </div>
      {recent.data && recent.data.length > 0 && (
        <>
          <h2>Recent</h2>
          <ul className="recent">
            {recent.data.map((p) => (
              <li key={p.dir} onClick={() => void call('project.open', { dir: p.dir }).catch(fail)}>
                <b>{p.name}</b> <span className="muted">{p.datasetRoot}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="muted">Each folder that holds images is a category; nested folders make nested categories. Your files are never changed.</p>
      {picking && <FolderPicker onCancel={() => setPicking(false)} onPick={(dir) => (setPicking(false), void call('project.openDataset', { datasetRoot: dir }).catch(fail))} />}
    </div>
  );
}

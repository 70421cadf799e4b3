import { useState } from 'react';
import { useQuery } from '../../api/hooks';

/**
 * Open a dataset folder: a server-side folder browser (how browser mode, and a remote GPU box,
 * picks a folder; in Electron it follows the system dialog), and where the project will live:
 * shown, and changeable.
 */
export function FolderPicker({ initialDir, onPick, onCancel }: { initialDir?: string; onPick: (dir: string, projectDir?: string) => void; onCancel: () => void }) {
  const [dir, setDir] = useState<string | undefined>(initialDir);
  const [typed, setTyped] = useState('');
  const [projectDir, setProjectDir] = useState('');
  const { data, error } = useQuery('files.list', dir === undefined ? {} : { dir });
  const chosen = typed || data?.dir;
  const defaultDir = useQuery('project.defaultDir', chosen ? { datasetRoot: chosen } : null);
  return (
    <div className="overlay">
      <div className="picker" role="dialog" aria-label="Choose a dataset folder">
        <h2>Open a dataset folder</h2>
        <form onSubmit={(e) => (e.preventDefault(), setDir(typed))}>
          <input className="picker-path" value={typed || data?.dir || ''} onChange={(e) => setTyped(e.target.value)} placeholder="/path/to/dataset" data-testid="picker-path" />
        </form>
        {error && <div className="error">{error}</div>}
        <ul className="picker-list">
          {data?.parent && <li onClick={() => (setTyped(''), setDir(data.parent!))}>⬆ ..</li>}
          {data?.entries.filter((e) => e.isDir).map((e) => (
            <li key={e.path} onClick={() => (setTyped(''), setDir(e.path))}>📁 {e.name}</li>
          ))}
        </ul>
        <label className="picker-project">
          Project folder: where Shiwake keeps this dataset's labels, thumbnails and training runs (the dataset folder is never written)
          <input className="picker-path" value={projectDir} onChange={(e) => setProjectDir(e.target.value)} placeholder={defaultDir.data ?? 'the default folder'} data-testid="picker-project" />
        </label>
        <div className="buttons">
          <button onClick={onCancel}>Cancel</button>
          <button className="primary" disabled={!data} onClick={() => chosen && onPick(chosen, projectDir.trim() || undefined)} data-testid="picker-open">Open this folder</button>
        </div>
      </div>
    </div>
  );
}

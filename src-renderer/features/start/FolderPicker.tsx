import { useState } from 'react';
import { useQuery } from '../../api/hooks';

/** A server-side folder browser: how browser mode (and a remote GPU box) picks a dataset folder. */
export function FolderPicker({ onPick, onCancel }: { onPick: (dir: string) => void; onCancel: () => void }) {
  const [dir, setDir] = useState<string | undefined>(undefined);
  const [typed, setTyped] = useState('');
  const { data, error } = useQuery('files.list', dir === undefined ? {} : { dir });
  return (
    <div className="overlay">
      <div className="picker" role="dialog" aria-label="Choose a dataset folder">
        <h2>Choose a dataset folder</h2>
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
        <div className="buttons">
          <button onClick={onCancel}>Cancel</button>
          <button className="primary" disabled={!data} onClick={() => data && onPick(typed || data.dir)} data-testid="picker-open">Open this folder</button>
        </div>
      </div>
    </div>
  );
}

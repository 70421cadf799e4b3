import { useState } from 'react';
import { useQuery } from '../../api/hooks';
import { call } from '../../api/transport';
import { useNotify } from '../../components/Toasts';
import { FolderPicker } from '../start/FolderPicker';

/** "Export model": the run's TF.js model, labels.txt, preprocessing and a README, into a folder on the engine's machine. */
export function ModelExport({ run }: { run: string }) {
  const notify = useNotify();
  const info = useQuery('app.info', {});
  const [out, setOut] = useState('');
  const [picking, setPicking] = useState(false);
  const [busy, setBusy] = useState(false);
  // the default is a placeholder, not the value: it arrives a moment after the field shows, and
  // as a value it would land in the middle of whatever the user had started typing
  const fallback = info.data?.project ? `${info.data.project.dir}/exports/model-${run}` : '';
  const folder = out.trim() !== '' ? out : fallback;
  const start = (): void => {
    setBusy(true);
    void call('model.export', { run, out: folder })
      .then((r) => notify(`Model of run ${run} exported to ${r.out} (${r.files.length} files)`), (e: Error) => notify(e.message, { kind: 'error' }))
      .finally(() => setBusy(false));
  };
  return (
    <div className="model-export" data-testid="model-export">
      <label>
        export model to <input className="wide" value={out} placeholder={fallback} onChange={(e) => setOut(e.target.value)} data-testid="model-export-out" />
      </label>{' '}
      <button onClick={() => setPicking(true)}>Choose…</button>{' '}
      <button disabled={busy || folder.trim() === ''} onClick={start} data-testid="model-export-start">Export model</button>
      {picking && <FolderPicker onCancel={() => setPicking(false)} onPick={(d) => (setPicking(false), setOut(d))} />}
    </div>
  );
}

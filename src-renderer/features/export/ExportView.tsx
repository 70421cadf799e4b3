import { useState } from 'react';
import { call } from '../../api/transport';
import { useNotify } from '../../components/Toasts';
import { FolderPicker } from '../start/FolderPicker';

type Format = 'tfrecord' | 'folders' | 'csv';
const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Math.max(1, Math.floor(Number(s))));

/** Export: TFRecord shards for TensorFlow's own scripts, a folder tree, or a CSV manifest. */
export function ExportView({ projectDir }: { projectDir: string }) {
  const notify = useNotify();
  const [format, setFormat] = useState<Format>('tfrecord');
  const [out, setOut] = useState(`${projectDir}/exports/tfrecord`);
  const [trainShards, setTrainShards] = useState('');
  const [validationShards, setValidationShards] = useState('');
  const [maxSide, setMaxSide] = useState('');
  const [seed, setSeed] = useState('42');
  const [picking, setPicking] = useState(false);
  const start = (): void => {
    void call('export.start', { format, out, trainShards: num(trainShards), validationShards: num(validationShards), maxSide: num(maxSide), seed: Number(seed) || 42 }).then(
      (r) => notify(`Export started to ${r.out}: progress is in the status bar`),
      (e: Error) => notify(e.message, { kind: 'error' }),
    );
  };
  return (
    <div className="export" data-testid="export-view">
      <h2>Export</h2>
      <div className="form">
        <label>format <select value={format} onChange={(e) => { setFormat(e.target.value as Format); setOut(`${projectDir}/exports/${e.target.value}`); }} data-testid="export-format">
          <option value="tfrecord">TFRecord shards (inception layout)</option>
          <option value="folders">Folder tree (hard links)</option>
          <option value="csv">CSV manifest</option>
        </select></label>
        <label>to folder <input className="wide" value={out} onChange={(e) => setOut(e.target.value)} data-testid="export-out" /> <button onClick={() => setPicking(true)}>Choose…</button></label>
        {format === 'tfrecord' && (
          <>
            <label>train shards <input type="number" min={1} placeholder="about 1,024 images each" value={trainShards} onChange={(e) => setTrainShards(e.target.value)} /></label>
            <label>validation shards <input type="number" min={1} placeholder="about 1,024 images each" value={validationShards} onChange={(e) => setValidationShards(e.target.value)} /></label>
            <label>longer side at most <input type="number" min={1} placeholder="original size" value={maxSide} onChange={(e) => setMaxSide(e.target.value)} /> px</label>
            <label>shuffle seed <input type="number" value={seed} onChange={(e) => setSeed(e.target.value)} /></label>
          </>
        )}
        <button className="primary" onClick={start} data-testid="export-start">Export</button>
      </div>
      <p className="muted">Active items of the current split and balance plan are exported; excluded and broken ones are left out and counted in manifest.json. JPEGs pass through byte for byte, other images become RGB JPEGs. Shards appear under their final names only when complete, so a cancelled export can be re-run to finish.</p>
      {picking && <FolderPicker onCancel={() => setPicking(false)} onPick={(d) => (setPicking(false), setOut(d))} />}
    </div>
  );
}

import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '../../api/hooks';
import { countOf } from '../../../src-main/shared/count';
import { call } from '../../api/transport';
import { useNavigation } from '../../components/navigation';
import { RunPicker, useFinishedRuns } from '../../components/RunPicker';
import { useNotify } from '../../components/Toasts';
import { filesFromDrop } from './files';
import { ResultCard } from './ResultCard';
import { useClassifier, type Entry } from './useClassifier';

/** cards rendered at first: a dropped folder of thousands stays responsive */
const PAGE = 200;
const hasFiles = (e: DragEvent): boolean => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');

/** Classify: ask a finished run about image files picked, dropped or pasted, or about grid items. */
export function ClassifyView({ active }: { active: boolean }) {
  const notify = useNotify();
  const nav = useNavigation();
  const { runs, run, setRun, error } = useFinishedRuns(active);
  const { entries, addFiles, addPaths, addAnswer, clear } = useClassifier(run);
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [limit, setLimit] = useState(PAGE);
  const tree = useQuery('categories.tree', active ? {} : null, ['onLabelsChanged']);
  const categoryIds = useMemo(() => new Map((tree.data ?? []).map((c) => [c.name, c.id])), [tree.data]);

  const request = nav.classifyRequest;
  const handled = useRef(0);
  useEffect(() => {
    if (!request || request.seq === handled.current) return;
    handled.current = request.seq;
    addAnswer(request.answer, request.label);
  }, [request, addAnswer]);

  // files dropped anywhere on the window land here; drags of grid items (text, not files) are left alone
  useEffect(() => {
    const over = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent): void => void (e.relatedTarget === null && setDragging(false));
    const drop = (e: DragEvent): void => {
      setDragging(false);
      if (!hasFiles(e) || e.defaultPrevented) return;
      e.preventDefault();
      nav.showView('classify');
      filesFromDrop(e.dataTransfer!).then(addFiles, (err: Error) => notify(`The dropped files could not be read: ${err.message}`, { kind: 'error' }));
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [addFiles, nav, notify]);

  useEffect(() => {
    if (!active) return;
    const paste = (e: ClipboardEvent): void => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      e.preventDefault();
      // a pasted screenshot is called image.png by every browser: give it a name that says when
      addFiles(files.map((f) => (f.name === 'image.png' ? new File([f], `pasted ${new Date().toLocaleTimeString()}.png`, { type: f.type }) : f)));
    };
    window.addEventListener('paste', paste);
    return () => window.removeEventListener('paste', paste);
  }, [active, addFiles]);

  const pick = async (): Promise<void> => {
    // Electron: the native dialog (null there means cancelled); browser mode: the bytes are uploaded
    if (!window.shiwake) return input.current?.click();
    try {
      const paths = await call('dialog.pickFiles', {});
      if (paths && paths.length > 0) addPaths(paths);
    } catch (e) {
      notify((e as Error).message, { kind: 'error' });
    }
  };

  return (
    <div className={`classify ${dragging ? 'dragging' : ''}`} data-testid="classify-view">
      <div className="toolbar">
        <RunPicker runs={runs} run={run} onChange={setRun} />
        <button className="primary" onClick={() => void pick()} data-testid="classify-pick">Choose images…</button>
        <input ref={input} type="file" multiple accept="image/*" hidden data-testid="classify-input" onChange={(e) => (addFiles([...(e.target.files ?? [])]), (e.target.value = ''))} />
        {entries.length > 0 && <button onClick={() => (clear(), setLimit(PAGE))}>Clear</button>}
        {entries.length > 1 && <Tally entries={entries} />}
        <span className="muted">or drop images or a folder onto the window, or paste an image (Ctrl+V)</span>
      </div>
      {error && <div className="error">{error}</div>}
      {entries.length === 0 ? (
        <div className="grid-empty">Nothing classified yet. Choose images, drop them here, or use “Classify selected” in Browse.</div>
      ) : (
        <div className="classify-list">
          {entries.slice(0, limit).map((e) => <ResultCard key={e.key} entry={e} categoryIds={categoryIds} onShowInGrid={(categoryId, name) => nav.showInBrowse({ categoryId, descendants: false, status: 'any', search: name }, `file ${name}`)} />)}
          {entries.length > limit && <button className="link" onClick={() => setLimit((l) => l + PAGE * 5)}>{(entries.length - limit).toLocaleString()} more…</button>}
        </div>
      )}
    </div>
  );
}

function Tally({ entries }: { entries: Entry[] }) {
  const pending = entries.filter((e) => e.state === 'pending').length;
  const failed = entries.filter((e) => e.result?.error).length;
  return (
    <span className="muted" data-testid="classify-tally">
      {countOf(entries.length, 'file')}{pending ? ` · ${pending.toLocaleString()} to go` : ''}{failed ? ` · ${failed.toLocaleString()} failed` : ''}
    </span>
  );
}

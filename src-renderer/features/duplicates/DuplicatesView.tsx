import { useEffect, useState } from 'react';
import type { DuplicateGroupView } from '../../../src-main/shared/duplicates';
import { useQuery } from '../../api/hooks';
import { call } from '../../api/transport';
import { BackboneLocationFields, backboneArgs, NEW_BACKBONE, SourceSelect, useEmbeddingSources, type BackboneInput } from '../../components/EmbeddingSource';
import { useNotify } from '../../components/Toasts';
import { undoBatchAction } from '../browse/undoBatch';
import { DuplicateGroupCard } from './DuplicateGroupCard';

const PAGE = 50;
const EXACT_ONLY = '';

/**
 * Duplicates: groups of identical files and (with a run or backbone whose embeddings the review
 * computed, or a pretrained backbone given here) near-identical pictures; groups in both train
 * and validation are leaks. Two actions on the
 * groups shown: keep one of each and exclude the rest (undoable), and put each into one split.
 */
export function DuplicatesView({ active }: { active: boolean }) {
  const notify = useNotify();
  const { runs, backbones } = useEmbeddingSources(active);
  const [run, setRun] = useState(EXACT_ONLY);
  // a backbone typed here: its search embeds the items first (a job), then looks for near duplicates
  const [typed, setTyped] = useState<BackboneInput>({ backbone: '', imageSize: '' });
  const [searched, setSearched] = useState<BackboneInput | null>(null);
  const newBackbone = run === NEW_BACKBONE;
  const source = newBackbone ? (searched ? backboneArgs(searched) : null) : run ? { run } : {};
  const [threshold, setThreshold] = useState(0.97);
  const [leakOnly, setLeakOnly] = useState(false);
  const [offset, setOffset] = useState(0);
  const [refresh, setRefresh] = useState(0);
  const [kept, setKept] = useState<Record<number, number>>({});
  useEffect(() => setOffset(0), [run, threshold, leakOnly, searched]);

  const args = active && source ? { ...source, ...(run ? { threshold } : {}), leakOnly, offset, limit: PAGE, ...(refresh ? { refresh: true } : {}) } : null;
  // a long search is a job: its end (or any job's) asks again
  const page = useQuery('duplicates.list', args, ['onLabelsChanged', 'onJobDone']);
  // a refresh searches once; later pages read the new result
  useEffect(() => void (page.data && refresh && setRefresh(0)), [page.data, refresh]);
  const groups = page.data?.groups ?? [];
  const keepOf = (g: DuplicateGroupView): number => kept[g.items[0]!.id] ?? g.items[0]!.id;

  const keepOne = (): void => {
    const chosen = groups.map((g) => ({ keep: keepOf(g), members: g.items.map((i) => i.id) }));
    void call('duplicates.keepOne', { groups: chosen }).then(
      (r) => notify(r.description, r.batch === null ? {} : { action: undoBatchAction(notify, r.batch) }),
      (e: Error) => notify(e.message, { kind: 'error' }),
    );
  };
  const oneSplit = (): void => {
    void call('duplicates.oneSplit', { groups: groups.map((g) => g.items.map((i) => i.id)) }).then(
      (r) => notify(r.description),
      (e: Error) => notify(e.message, { kind: 'error' }),
    );
  };
  const d = page.data;

  return (
    <div className="duplicates" data-testid="duplicates-view">
      <div className="toolbar">
        <label>
          find{' '}
          <SourceSelect runs={runs} backbones={backbones} value={run} onChange={setRun} none="identical files only" testid="dup-run" />
        </label>
        {newBackbone && <BackboneLocationFields value={typed} onChange={setTyped} onSubmit={() => typed.backbone.trim() && setSearched(typed)} />}
        {newBackbone && (
          <button className="primary" disabled={typed.backbone.trim() === ''} onClick={() => setSearched(typed)} data-testid="dup-backbone-search" title="embed every item with this backbone (a job), then find near duplicates">
            Find near duplicates
          </button>
        )}
        {run && (
          <label title="cosine similarity of the run's embeddings at or above which two pictures are near duplicates">
            similarity ≥ <input type="number" min={0.5} max={1} step={0.005} value={threshold} onChange={(e) => Number(e.target.value) > 0 && Number(e.target.value) <= 1 && setThreshold(Number(e.target.value))} style={{ width: 70 }} />
          </label>
        )}
        <label>
          <input type="checkbox" checked={leakOnly} onChange={(e) => setLeakOnly(e.target.checked)} data-testid="dup-leaks-only" /> leaks only
        </label>
        <button onClick={() => setRefresh(1)} title="search again: after an import, a new split or a new review">Search again</button>
        {d && (
          <span data-testid="dup-summary">
            <b>{d.total.toLocaleString()}</b> {d.total === 1 ? 'group' : 'groups'}{leakOnly ? ' (leaks)' : ''} · <b>{d.leaks.toLocaleString()}</b> {d.leaks === 1 ? 'leak' : 'leaks'}
            {!d.near && <span className="muted"> · identical files only: choose a reviewed run or a backbone for near duplicates</span>}
          </span>
        )}
      </div>
      {page.error && <div className="error" data-testid="dup-error">{page.error}</div>}
      {d?.searching != null && <div className="muted" data-testid="dup-searching">Searching for duplicates… progress is in the status bar.</div>}
      {groups.length > 0 && (
        <div className="toolbar">
          <button className="primary" onClick={keepOne} data-testid="dup-keep-one" title="in each group below, keep the chosen item and exclude the others (one undoable change)">
            Keep one of each ({groups.length}), exclude the rest
          </button>
          <button onClick={oneSplit} data-testid="dup-one-split" title="each group below goes to the split most of its items have (train on a tie)">
            Put each group into one split
          </button>
          <span className="muted push-right">
            {offset + 1}–{offset + groups.length} of {d!.total.toLocaleString()}{' '}
            <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>‹</button>{' '}
            <button disabled={offset + PAGE >= d!.total} onClick={() => setOffset(offset + PAGE)}>›</button>
          </span>
        </div>
      )}
      {d && d.searching == null && groups.length === 0 && <div className="muted" data-testid="dup-none">{leakOnly ? 'No leaks: no group is in both train and validation.' : 'No duplicates found.'}</div>}
      <div className="dup-list">
        {groups.map((g) => (
          <DuplicateGroupCard key={g.items[0]!.id} group={g} keep={keepOf(g)} onKeep={(id) => setKept((k) => ({ ...k, [g.items[0]!.id]: id }))} />
        ))}
      </div>
    </div>
  );
}

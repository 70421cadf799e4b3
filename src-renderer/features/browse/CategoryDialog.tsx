import { useState } from 'react';
import type { CategoryNode } from '../../../src-main/shared/contract';
import { call } from '../../api/transport';
import { useNotify } from '../../components/Toasts';
import { undoBatchAction } from './undoBatch';

/**
 * Rename or delete one category (right-click in the tree). Renaming takes its sub-categories
 * along and is one undoable batch; deleting is offered for a category with no active items
 * and refused by the engine, with the counts, while it still holds excluded, broken or
 * missing ones.
 */
export function CategoryDialog({ node, activeTotal, onClose }: { node: CategoryNode; activeTotal: number; onClose: () => void }) {
  const notify = useNotify();
  const [name, setName] = useState(node.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const rename = async (): Promise<void> => {
    setBusy(true);
    try {
      const r = await call('categories.rename', { from: node.name, to: name });
      notify(r.description, r.batch === null ? {} : { action: undoBatchAction(notify, r.batch) });
      onClose();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      notify((await call('categories.delete', { name: node.name })).description);
      onClose();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <div className="overlay" onClick={onClose} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <form className="palette" role="dialog" aria-label={`Category ${node.name}`} data-testid="category-dialog" onClick={(e) => e.stopPropagation()} onSubmit={(e) => (e.preventDefault(), void rename())}>
        <div className="palette-title">Rename “{node.name}” (its sub-categories follow; undoable)</div>
        <input className="palette-input" autoFocus value={name} onChange={(e) => (setName(e.target.value), setError(null))} aria-label="New name" data-testid="category-new-name" />
        {error && <div className="error" data-testid="category-error">{error}</div>}
        <div className="dialog-buttons">
          <button type="submit" disabled={busy || name.trim() === '' || name.trim() === node.name}>Rename</button>
          <button type="button" disabled={busy || activeTotal > 0} title={activeTotal > 0 ? 'only an empty category can be deleted' : undefined} onClick={() => void remove()} data-testid="category-delete">
            Delete
          </button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}

import { call } from '../../api/transport';
import type { Notify, Toast } from '../../components/Toasts';

/**
 * The Undo button of an edit's toast: it undoes that toast's own batch, not whatever is
 * newest. Where later changes touched the same items the engine refuses and names them;
 * the error toast then offers to undo those too.
 */
export function undoBatchAction(notify: Notify, batch: number): NonNullable<Toast['action']> {
  return { label: 'Undo', run: () => void undoBatch(notify, batch, false) };
}

async function undoBatch(notify: Notify, batch: number, withLater: boolean): Promise<void> {
  try {
    const r = await call('labels.undoBatch', { batch, withLater });
    if (r.undone) return notify(`Undone: ${r.description}`);
    notify(r.description, { kind: 'error', action: { label: `Undo all ${r.later.length + 1}`, run: () => void undoBatch(notify, batch, true) } });
  } catch (e) {
    notify((e as Error).message, { kind: 'error' });
  }
}

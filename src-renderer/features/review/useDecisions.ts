import type { EditOutcome } from '../../../src-main/shared/contract';
import type { ReviewItem } from '../../../src-main/shared/predict';
import { call } from '../../api/transport';
import { useCommandHandlers, type CommandRun } from '../../commands/registry';
import type { CommandId } from '../../../src-main/shared/commands';
import { useNotify } from '../../components/Toasts';
import { undoBatchAction } from '../browse/undoBatch';
import type { ReviewQueueState } from './useReviewQueue';

interface Options {
  active: boolean;
  queue: ReviewQueueState;
  /** the item under review, if any */
  item: ReviewItem | undefined;
  paletteOpen: boolean;
  setPalette: (open: boolean) => void;
  moveCursor: (by: number) => void;
}

export interface Decisions {
  accept: () => void;
  keep: () => void;
  exclude: () => void;
  /** "neither": the palette's pick */
  moveTo: (category: string) => void;
}

/**
 * What the review's keys and buttons do. Each decision is one undoable batch (accept and
 * "neither" are relabels, keep is remembered by the engine, exclude is the usual exclude); the
 * item leaves the view at once and the next one takes its place, and an undo brings it back.
 */
export function useDecisions({ active, queue, item, paletteOpen, setPalette, moveCursor }: Options): Decisions {
  const notify = useNotify();
  const decide = (target: ReviewItem | undefined, edit: (id: number) => Promise<EditOutcome>): void => {
    if (!target) return;
    queue.hide(target.id);
    edit(target.id).then(
      (r) => {
        queue.settled(target.id);
        notify(r.description, r.batch === null ? {} : { action: undoBatchAction(notify, r.batch) });
      },
      (e: Error) => {
        queue.unhide(target.id);
        notify(e.message, { kind: 'error' });
      },
    );
  };
  const history = (method: 'labels.undo' | 'labels.redo', verb: string): void =>
    void call(method, {}).then(
      (r) => notify(r ? `${verb}: ${r.description}` : `Nothing to ${verb === 'Undone' ? 'undo' : 'redo'}.`),
      (e: Error) => notify(e.message, { kind: 'error' }),
    );

  const decisions: Decisions = {
    accept: () => item?.suggested.id != null && decide(item, (id) => call('labels.move', { selection: { ids: [id] }, category: item.suggested.name })),
    keep: () => decide(item, (id) => call('review.keep', { ids: [id] })),
    exclude: () => decide(item, (id) => call('labels.exclude', { selection: { ids: [id] } })),
    moveTo: (category) => {
      setPalette(false);
      decide(item, (id) => call('labels.move', { selection: { ids: [id] }, category }));
    },
  };
  // the studio's command table: A and K are Review's own; X, M or Ctrl/Cmd+K, arrows, undo and redo are shared with Browse
  const once = (run: () => void): CommandRun => (e) => void (e?.repeat || run()); // a held key must not decide a run of items
  const commands: Partial<Record<CommandId, CommandRun | undefined>> = {
    accept: item && item.suggested.id !== null ? once(decisions.accept) : undefined,
    keep: item && once(decisions.keep),
    exclude: item && once(decisions.exclude),
    move: item && (() => setPalette(true)),
    left: () => moveCursor(-1),
    right: () => moveCursor(1),
    undo: () => history('labels.undo', 'Undone'),
    redo: () => history('labels.redo', 'Redone'),
  };
  // while the palette is open it has the keys; Esc outside its input closes it
  useCommandHandlers(!active ? {} : paletteOpen ? { clear: () => setPalette(false) } : commands);
  return decisions;
}

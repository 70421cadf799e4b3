import { useEffect, useRef } from 'react';
import type { EditOutcome } from '../../../src-main/shared/contract';
import type { ReviewItem } from '../../../src-main/shared/predict';
import { call } from '../../api/transport';
import { useNotify } from '../../components/Toasts';
import { undoBatchAction } from '../browse/undoBatch';
import { reviewCommandFor, type ReviewCommand } from './keymap';
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
  const commands: Record<ReviewCommand, () => void> = {
    accept: decisions.accept,
    keep: decisions.keep,
    exclude: decisions.exclude,
    other: () => item && setPalette(true),
    next: () => moveCursor(1),
    previous: () => moveCursor(-1),
    undo: () => history('labels.undo', 'Undone'),
    redo: () => history('labels.redo', 'Redone'),
    close: () => setPalette(false),
  };
  const ref = useRef(commands);
  ref.current = commands;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      // a key the studio-wide command handler already ran (it comes first) is not run twice
      if (e.defaultPrevented) return;
      const command = reviewCommandFor(e);
      // the palette has its own keys; only Esc reaches us while it is open
      if (!active || !command || (paletteOpen && command !== 'close')) return;
      // a held key must not decide a run of items
      if (e.repeat && command !== 'next' && command !== 'previous') return;
      e.preventDefault();
      ref.current[command]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, paletteOpen]);
  return decisions;
}

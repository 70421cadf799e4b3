import { useCallback, useEffect, useRef, useState } from 'react';
import type { Args } from '../../../src-main/shared/contract';
import type { ReviewItem, ReviewQueue } from '../../../src-main/shared/predict';
import { useEvent } from '../../api/hooks';
import { api } from '../../api/transport';

/** How many ranked items are loaded at once: decided items leave the queue, so the first page is always the one to show. */
const PAGE = 50;

export interface ReviewQueueState {
  queue: ReviewQueue | undefined;
  error: string | undefined;
  /** the loaded items, less those decided here whose decision the engine's answer does not reflect yet */
  items: ReviewItem[];
  /** takes an item out of view at once, while its decision is on its way */
  hide: (id: number) => void;
  /** the decision is recorded: answers asked for from now on reflect it */
  settled: (id: number) => void;
  /** the decision failed: show the item again */
  unhide: (id: number) => void;
  reload: () => void;
}

/**
 * The ranked queue of a run, filtered. It reloads on label changes (an accept, an undo, an edit
 * elsewhere) and when a job finishes (the review job writes new scores). A decided item leaves the
 * view at once, so the next one shows without waiting for the engine; it stays hidden until an
 * answer asked for after its decision arrives, so a slower, older answer cannot bring it back,
 * and an undo (a later answer that has it again) does.
 */
export function useReviewQueue(args: Omit<Args<'review.queue'>, 'offset' | 'limit'> | null): ReviewQueueState {
  const [state, setState] = useState<{ queue?: ReviewQueue; error?: string }>({});
  const [tick, setTick] = useState(0);
  // id -> the count of settled decisions once its own was settled (Infinity while on its way)
  const hidden = useRef(new Map<number, number>());
  const settledCount = useRef(0);
  const [, rerender] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEvent('onLabelsChanged', reload);
  useEvent('onJobDone', reload);

  const key = JSON.stringify(args);
  useEffect(() => {
    if (args === null) return setState({});
    let live = true;
    const asked = settledCount.current;
    void api.call('review.queue', { ...args, offset: 0, limit: PAGE }).then((r) => {
      if (!live) return;
      for (const [id, settledAt] of hidden.current) if (settledAt <= asked) hidden.current.delete(id);
      setState(r.ok ? { queue: r.value } : { error: r.error });
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);

  const hide = useCallback((id: number) => {
    hidden.current.set(id, Infinity);
    rerender((n) => n + 1);
  }, []);
  const settled = useCallback(
    (id: number) => {
      settledCount.current += 1;
      hidden.current.set(id, settledCount.current);
      reload();
    },
    [reload],
  );
  const unhide = useCallback((id: number) => {
    hidden.current.delete(id);
    rerender((n) => n + 1);
  }, []);

  const items = (state.queue?.items ?? []).filter((i) => !hidden.current.has(i.id));
  return { queue: state.queue, error: state.error, items, hide, settled, unhide, reload };
}

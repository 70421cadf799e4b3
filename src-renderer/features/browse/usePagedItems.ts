import { useCallback, useRef, useState } from 'react';
import type { GridItem, ItemFilter } from '../../../src-main/shared/contract';
import { call } from '../../api/transport';

const PAGE = 400;

/**
 * Items of a filtered view, fetched a page at a time as the grid scrolls. Only pages near
 * the viewport are asked for; a new `version` (labels changed) drops the cache.
 */
export function usePagedItems(filter: ItemFilter, version: number) {
  const pages = useRef(new Map<number, GridItem[]>());
  const loading = useRef(new Set<number>());
  const [, setTick] = useState(0);
  const key = JSON.stringify(filter);

  // Dropped during render, not in an effect: the grid's effect (a child's, so it runs first)
  // asks for pages with the new `ensure` at once, and a reset after that discarded its answers,
  // leaving a view whose count did not change (an edit in "All categories", an edit by another
  // process) as loading placeholders for good.
  const cacheOf = useRef({ key, version });
  if (cacheOf.current.key !== key || cacheOf.current.version !== version) {
    cacheOf.current = { key, version };
    pages.current = new Map();
    loading.current = new Set();
  }

  const ensure = useCallback(
    (start: number, end: number) => {
      const cache = pages.current;
      for (let p = Math.floor(start / PAGE); p <= Math.floor(end / PAGE); p++) {
        if (cache.has(p) || loading.current.has(p)) continue;
        loading.current.add(p);
        const generation = cache;
        void call('items.page', { filter, offset: p * PAGE, limit: PAGE }).then(
          (items) => {
            if (pages.current !== generation) return; // the view changed meanwhile
            generation.set(p, items);
            loading.current.delete(p);
            setTick((t) => t + 1);
          },
          () => loading.current.delete(p),
        );
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key, version],
  );

  const get = useCallback((index: number): GridItem | undefined => pages.current.get(Math.floor(index / PAGE))?.[index % PAGE], []);
  return { get, ensure };
}

import { useEffect, useMemo, useRef, useState } from 'react';
import type { ItemFilter } from '../../../src-main/shared/contract';
import { useNavigation } from '../../components/navigation';

export type SortKey = NonNullable<ItemFilter['sort']>;
type Status = NonNullable<ItemFilter['status']>;
type Split = NonNullable<ItemFilter['split']>;

interface Setters {
  categoryId: number | null;
  setCategoryId: (id: number | null) => void;
  setStatus: (s: Status) => void;
  setSplit: (s: Split) => void;
}

/** What another view asked Browse to show, beyond category/status/split: kept until its chip is removed. */
interface Chip {
  text: string;
  categoryId: number | null;
  filter: Pick<ItemFilter, 'prediction' | 'descendants' | 'search'>;
  /** the request chose a split (its chip says so): removing the chip shows every split again */
  split: boolean;
}

/**
 * Browse's search, sort, and the filter other views send ("labelled A, predicted B, run R").
 * Category, status and split stay BrowseView's own state; a request sets them too.
 */
export function useBrowseQuery({ categoryId, setCategoryId, setStatus, setSplit }: Setters) {
  const { browseRequest } = useNavigation();
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortKey>('import');
  const [chip, setChip] = useState<Chip | null>(null);

  useEffect(() => {
    const t = setTimeout(() => setSearch(searchText.trim()), 200);
    return () => clearTimeout(t);
  }, [searchText]);

  const applied = useRef(0);
  useEffect(() => {
    if (!browseRequest || browseRequest.seq === applied.current) return;
    applied.current = browseRequest.seq;
    const f = browseRequest.filter;
    setCategoryId(f.categoryId ?? null);
    setStatus(f.status ?? 'active');
    setSplit(f.split ?? 'any');
    setSort(f.sort ?? 'import');
    setSearchText('');
    setSearch('');
    setChip({ text: browseRequest.chip, categoryId: f.categoryId ?? null, filter: { prediction: f.prediction, descendants: f.descendants, search: f.search }, split: f.split !== undefined });
  }, [browseRequest, setCategoryId, setStatus, setSplit]);

  // the chip names its category ("labelled A"): picking another one in the tree ends it
  useEffect(() => {
    if (chip && chip.categoryId !== null && chip.categoryId !== categoryId) removeChip();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [categoryId]);

  const removeChip = (): void => {
    if (chip?.split) setSplit('any');
    setChip(null);
    setSort((s) => (s === 'disagreement' ? 'import' : s));
  };

  const filter = useMemo((): Partial<ItemFilter> => {
    const f: Partial<ItemFilter> = {};
    if (chip?.filter.prediction) f.prediction = chip.filter.prediction;
    if (chip?.filter.descendants !== undefined) f.descendants = chip.filter.descendants;
    const text = [chip?.filter.search, search].filter(Boolean);
    // the chip's search (a file name) and the typed one both apply; the engine takes one string, so the typed one wins
    if (text.length > 0) f.search = text[text.length - 1];
    if (sort !== 'import' && (sort !== 'disagreement' || f.prediction)) f.sort = sort;
    return f;
  }, [chip, search, sort]);

  return { filter, searchText, setSearchText, sort, setSort, chip: chip?.text ?? null, removeChip, canSortByModel: !!chip?.filter.prediction };
}

export type BrowseQuery = ReturnType<typeof useBrowseQuery>;

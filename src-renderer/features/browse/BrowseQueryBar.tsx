import type { Selection } from '../../../src-main/shared/contract';
import { countOf } from '../../../src-main/shared/count';
import { call } from '../../api/transport';
import { useNavigation } from '../../components/navigation';
import type { BrowseQuery, SortKey } from './useBrowseQuery';

interface Props {
  query: BrowseQuery;
  selected: number;
  /** the grid's selection as the engine takes it, or null when nothing is selected */
  selection: () => Selection | null;
}

const SORTS: { id: SortKey; label: string }[] = [
  { id: 'import', label: 'import order' },
  { id: 'name', label: 'name' },
  { id: 'size', label: 'size' },
  { id: 'date', label: 'date' },
];

/** Browse's search box, sort, the chip of a filter another view asked for, and "Classify selected". */
export function BrowseQueryBar({ query, selected, selection }: Props) {
  const nav = useNavigation();
  const classify = (): void => {
    const s = selection();
    if (s) nav.classifyInView(call('classify.items', { selection: s }), `${countOf(selected, 'selected item')}`);
  };
  return (
    <>
      <input
        className="search"
        type="search"
        placeholder="Search file names"
        value={query.searchText}
        onChange={(e) => query.setSearchText(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && (query.setSearchText(''), e.currentTarget.blur())}
        data-testid="browse-search"
      />
      <label>
        sort{' '}
        <select value={query.sort} onChange={(e) => query.setSort(e.target.value as SortKey)} data-testid="browse-sort">
          {SORTS.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
          {query.canSortByModel && <option value="disagreement">model disagreement</option>}
        </select>
      </label>
      {query.chip && (
        <span className="chip" data-testid="browse-chip">
          {query.chip}
          <button className="link" onClick={query.removeChip} aria-label="Remove this filter" data-testid="browse-chip-remove">×</button>
        </span>
      )}
      {selected > 0 && <button onClick={classify} data-testid="classify-selected">Classify selected</button>}
    </>
  );
}

import { useEffect, useMemo, useRef, useState } from 'react';
import type { CategoryNode } from '../../../src-main/shared/contract';
import { countOf } from '../../../src-main/shared/count';
import { fuzzyFilter } from '../../components/fuzzy';

interface Props {
  categories: CategoryNode[];
  count: number;
  onPick: (categoryName: string) => void;
  onClose: () => void;
}

type Option = { kind: 'existing'; name: string } | { kind: 'new'; name: string };

/** "Move N items to ...": fuzzy search over every category, Enter on a new name creates it. */
export function MovePalette({ categories, count, onPick, onClose }: Props) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const options = useMemo((): Option[] => {
    const names = categories.map((c) => c.name);
    const matches: Option[] = fuzzyFilter(query, names, (n) => n, 60).map((name) => ({ kind: 'existing', name }));
    const typed = query.split('>').map((p) => p.trim()).filter(Boolean).join(' > ');
    if (typed && !names.some((n) => n.toLowerCase() === typed.toLowerCase())) matches.push({ kind: 'new', name: typed });
    return matches;
  }, [query, categories]);

  useEffect(() => setActive(0), [query]);

  const onKey = (e: React.KeyboardEvent): void => {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(options.length - 1, a + 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
    else if (e.key === 'Enter') {
      const option = options[active];
      if (option) onPick(option.name);
    } else if (e.key === 'Escape') onClose();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div className="overlay" onMouseDown={onClose}>
      <div className="palette" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label="Move to category">
        <div className="palette-title">Move {countOf(count, 'item')} to…</div>
        <input ref={input} className="palette-input" data-testid="palette-input" placeholder="Type part of a category name, or a new one (A > B)" value={query} onChange={(e) => setQuery(e.target.value)} onKeyDown={onKey} />
        <ul className="palette-list">
          {options.map((o, i) => (
            <li key={`${o.kind}:${o.name}`} className={i === active ? 'active' : ''} onMouseEnter={() => setActive(i)} onClick={() => onPick(o.name)}>
              {o.kind === 'new' ? <em>New category “{o.name}”</em> : o.name}
            </li>
          ))}
          {options.length === 0 && <li className="muted">Type a name to create a category</li>}
        </ul>
      </div>
    </div>
  );
}

import { useEffect, useMemo, useRef, useState } from 'react';
import { keysLabel, type CommandId } from '../../src-main/shared/commands';
import { fuzzyFilter } from '../components/fuzzy';
import { enabledCommands } from './registry';

/** Every command that can run now, searchable; Enter runs the highlighted one. */
export function CommandPalette({ onRun, onClose }: { onRun: (id: CommandId) => void; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const available = useMemo(() => enabledCommands().filter((c) => c.id !== 'palette'), []);
  const shown = useMemo(() => fuzzyFilter(query, available, (c) => c.label, 50), [query, available]);
  useEffect(() => setActive(0), [query]);

  const onKey = (e: React.KeyboardEvent): void => {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(shown.length - 1, a + 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
    else if (e.key === 'Enter') {
      const c = shown[active];
      if (c) onRun(c.id);
    } else if (e.key === 'Escape') onClose();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div className="overlay" onMouseDown={onClose}>
      <div className="palette" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label="Commands">
        <input ref={input} className="palette-input" data-testid="command-input" placeholder="Type a command" value={query} onChange={(e) => setQuery(e.target.value)} onKeyDown={onKey} />
        <ul className="palette-list">
          {shown.map((c, i) => (
            <li key={c.id} className={i === active ? 'active' : ''} onMouseEnter={() => setActive(i)} onClick={() => onRun(c.id)} data-testid="command-option" data-command={c.id}>
              {c.label} {c.shortcuts.length > 0 && <kbd className="muted">{keysLabel(c)}</kbd>}
            </li>
          ))}
          {shown.length === 0 && <li className="muted">No command matches</li>}
        </ul>
      </div>
    </div>
  );
}

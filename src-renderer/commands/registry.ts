/**
 * The renderer's half of the command table (src-main/shared/commands.ts): what each command
 * does, supplied by the component that owns the state (`useCommandHandlers`), and one
 * dispatcher used by the keyboard handler, the menu, the palette and buttons (`runCommand`).
 * A command runs when its `when` holds and some mounted component handles it; the latest
 * registration wins, so an open overlay can take Esc from the view beneath it.
 */
import { useEffect, useRef } from 'react';
import { COMMANDS, commandSpec, type CommandId, type When } from '../../src-main/shared/commands';

export type CommandRun = (e?: KeyboardEvent) => void;
type Registration = { run: () => CommandRun | undefined };

const handlers = new Map<CommandId, Registration[]>();
let context: { project: boolean; view: string } = { project: false, view: '' };

/** Where the studio is (App sets it): decides each command's `when`. */
export function setCommandContext(next: { project: boolean; view: string }): void {
  context = next;
}

function holds(when: When): boolean {
  if (when === 'always') return true;
  if (!context.project) return false;
  if (when === 'items') return context.view === 'browse' || context.view === 'review';
  return when === 'project' || when === context.view;
}

export function isEnabled(id: CommandId): boolean {
  return holds(commandSpec(id).when) && (handlers.get(id) ?? []).some((r) => r.run() !== undefined);
}

/** Runs a command if it is enabled; returns whether it ran. */
export function runCommand(id: CommandId, e?: KeyboardEvent): boolean {
  if (!holds(commandSpec(id).when)) return false;
  const list = handlers.get(id) ?? [];
  for (let i = list.length - 1; i >= 0; i--) {
    const run = list[i]!.run();
    if (run) {
      run(e);
      return true;
    }
  }
  return false;
}

/**
 * Supplies what commands do while the component is mounted. The table may change every render
 * (it closes over state); an entry that is undefined leaves the command to others.
 */
export function useCommandHandlers(table: Partial<Record<CommandId, CommandRun | undefined>>): void {
  const ref = useRef(table);
  ref.current = table;
  // registered again when the set of handled commands changes, so an overlay that starts handling Esc becomes the latest
  const ids = (Object.keys(table) as CommandId[]).filter((k) => table[k] !== undefined).sort().join(',');
  useEffect(() => {
    const mine = (ids ? ids.split(',') : []) as CommandId[];
    const regs = mine.map((id) => {
      const reg: Registration = { run: () => ref.current[id] };
      handlers.set(id, [...(handlers.get(id) ?? []), reg]);
      return [id, reg] as const;
    });
    return () => regs.forEach(([id, reg]) => handlers.set(id, (handlers.get(id) ?? []).filter((r) => r !== reg)));
  }, [ids]);
}

/** The enabled commands, for the palette. */
export function enabledCommands(): (typeof COMMANDS)[number][] {
  return COMMANDS.filter((c) => isEnabled(c.id));
}

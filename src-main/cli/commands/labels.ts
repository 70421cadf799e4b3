import {
  excludeItems,
  idsForPaths,
  itemHistory,
  moveItems,
  redo,
  restoreItems,
  undo,
  type EditResult,
} from '../../engine/dataset/labels.js';
import type { Project } from '../../engine/project.js';
import { jsonOption, projectOption, requireString, withProject, type Command } from '../command.js';
import { formatCount, printJson, say, UsageError } from '../output.js';

function report(values: Record<string, unknown>, verb: string, result: EditResult | undefined, nothing: string): void {
  if (values.json) return printJson(result ?? null);
  if (!result) return say(nothing);
  say(`${verb}: ${result.description} (${formatCount(result.changed)} changed, batch ${result.batch})`);
}

function pathsCommand(
  name: string,
  summary: string,
  extraUsage: string,
  extraOptions: Command['options'],
  edit: (project: Project, ids: number[], values: Record<string, unknown>) => EditResult,
): Command {
  return {
    name,
    usage: `shiwake ${name} --project <dir>${extraUsage} <relative-path>... [--json]`,
    summary,
    options: { ...projectOption, ...jsonOption, ...extraOptions },
    run(values, positionals) {
      if (positionals.length === 0) throw new UsageError(`name at least one item path\nusage: ${this.usage}`);
      return withProject(values, this, (project) => {
        const result = edit(project, idsForPaths(project, positionals), values);
        report(values, 'Done', result, '');
      });
    },
  };
}

export const relabelCommand = pathsCommand(
  'relabel',
  'move items to a category (created when new); undoable',
  ' --to <category name>',
  { to: { type: 'string' } },
  function (project, ids, values) {
    return moveItems(project, ids, requireString(values, 'to', relabelCommand));
  },
);

export const excludeCommand = pathsCommand('exclude', 'exclude items from training and export; undoable', '', {}, (p, ids) => excludeItems(p, ids));
export const restoreCommand = pathsCommand('restore', 'bring excluded items back; undoable', '', {}, (p, ids) => restoreItems(p, ids));

function stackCommand(name: 'undo' | 'redo', fn: typeof undo): Command {
  return {
    name,
    usage: `shiwake ${name} --project <dir> [--json]`,
    summary: `${name} the last ${name === 'undo' ? '' : 'undone '}label change (one batch)`,
    options: { ...projectOption, ...jsonOption },
    run(values) {
      return withProject(values, this, (project) => report(values, name === 'undo' ? 'Undone' : 'Redone', fn(project), `Nothing to ${name}.`));
    },
  };
}

export const undoCommand = stackCommand('undo', undo);
export const redoCommand = stackCommand('redo', redo);

export const historyCommand: Command = {
  name: 'history',
  usage: 'shiwake history --project <dir> <relative-path> [--json]',
  summary: "an item's label history: original category, every change, and whether it still holds",
  options: { ...projectOption, ...jsonOption },
  run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError(`name exactly one item path\nusage: ${this.usage}`);
    return withProject(values, this, (project) => {
      const h = itemHistory(project, positionals[0]!);
      if (values.json) return printJson(h);
      say(`${h.path}: ${h.category} (${h.status}${h.reason ? `: ${h.reason}` : ''}); imported as ${h.originalCategory}`);
      for (const e of h.events) {
        say(`  ${e.at}  ${e.field}: ${e.from ?? '-'} -> ${e.to ?? '-'}  [${e.source}: ${e.description}]${e.inEffect ? '' : ' (undone)'}`);
      }
    });
  },
};

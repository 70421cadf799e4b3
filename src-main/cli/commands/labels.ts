import {
  excludeItems,
  idsForPaths,
  itemHistory,
  moveItems,
  redo,
  restoreItems,
  undo,
  undoBatch,
  type EditResult,
} from '../../engine/dataset/labels.js';
import { deleteCategory, renameCategory } from '../../engine/dataset/categoryEdits.js';
import type { Project } from '../../engine/project.js';
import { jsonOption, optionalNumber, projectOption, requireString, withProject, type Command } from '../command.js';
import { formatCount, printJson, say, UsageError } from '../output.js';

function report(values: Record<string, unknown>, verb: string, result: EditResult | undefined, nothing: string): void {
  if (values.json) return printJson(result ?? null);
  if (!result) return say(nothing);
  if (result.batch === null) return say(`Nothing changed: ${result.description}.`);
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
  const batchUsage = name === 'undo' ? ' [--batch N [--with-later]]' : '';
  return {
    name,
    usage: `shiwake ${name} --project <dir>${batchUsage} [--json]`,
    summary:
      name === 'undo'
        ? 'undo the last label change (one batch), or the batch named by --batch (--with-later also undoes later changes to the same items)'
        : 'redo the last undone label change (one batch)',
    options: { ...projectOption, ...jsonOption, ...(name === 'undo' ? { batch: { type: 'string' }, 'with-later': { type: 'boolean' } } : {}) },
    run(values) {
      const batch = optionalNumber(values, 'batch', (n) => Number.isInteger(n) && n > 0, 'a batch number (relabel and history print it)');
      if (batch === undefined && values['with-later']) throw new UsageError(`--with-later needs --batch\nusage: ${this.usage}`);
      return withProject(values, this, (project) => {
        if (batch === undefined) return report(values, name === 'undo' ? 'Undone' : 'Redone', fn(project), `Nothing to ${name}.`);
        const result = undoBatch(project, batch, values['with-later'] === true);
        if (!result.undone) throw new Error(`${result.description} (shiwake undo --batch ${batch} --with-later)`);
        report(values, 'Undone', result, '');
      });
    },
  };
}

export const undoCommand = stackCommand('undo', undo);
export const redoCommand = stackCommand('redo', redo);

export const renameCategoryCommand: Command = {
  name: 'rename-category',
  usage: 'shiwake rename-category --project <dir> "<old name>" "<new name>" [--json]',
  summary: 'rename a category and its sub-categories ("A" -> "B" makes "A > x" "B > x"); undoable',
  options: { ...projectOption, ...jsonOption },
  run(values, positionals) {
    if (positionals.length !== 2) throw new UsageError(`name the category and its new name\nusage: ${this.usage}`);
    return withProject(values, this, (project) => report(values, 'Done', renameCategory(project, positionals[0]!, positionals[1]!), ''));
  },
};

export const deleteCategoryCommand: Command = {
  name: 'delete-category',
  usage: 'shiwake delete-category --project <dir> "<name>" [--json]',
  summary: 'delete an empty category (and its empty sub-categories)',
  options: { ...projectOption, ...jsonOption },
  run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError(`name exactly one category\nusage: ${this.usage}`);
    return withProject(values, this, (project) => {
      const result = deleteCategory(project, positionals[0]!);
      if (values.json) return printJson(result);
      say(`Done: ${result.description}.`);
    });
  },
};

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
        say(`  ${e.at}  batch ${e.batch}  ${e.field}: ${e.from ?? '-'} -> ${e.to ?? '-'}  [${e.source}: ${e.description}]${e.inEffect ? '' : ' (undone)'}`);
      }
    });
  },
};

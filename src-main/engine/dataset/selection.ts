/**
 * What an export or a training run uses: active items with their split, the stored balance
 * plan's copies (validation never repeated), the label list (line k of labels.txt is label k,
 * from 1), and what was left out and why. Reading a selection never writes: the split it
 * needs is its own step (`splitUnsplitItems`), which export and training run first.
 */
import { compareCodePoints } from '../../shared/order.js';
import type { Split } from '../db/repos/plan.js';
import type { Project } from '../project.js';
import { splitDataset } from './split.js';

export interface ExportRecord {
  itemId: number;
  path: string;
  split: Split;
  /** 1-based, as in labels.txt; 0 is the inception scripts' background class */
  label: number;
  text: string;
}

export interface ExportSelection {
  labels: string[];
  records: Record<Split, ExportRecord[]>;
  leftOut: { excluded: number; broken: number; missing: number; balance: number };
}

/**
 * Gives a split to active items that have none (new since the last split, or never split),
 * with the project's stored split settings (the defaults when it has none); items that have
 * one keep it. Returns how many items had none: 0 means nothing was written.
 */
export async function splitUnsplitItems(project: Project, signal?: AbortSignal): Promise<number> {
  const unsplit = project.plan.activeItems().filter((i) => i.split === null).length;
  if (unsplit > 0) await splitDataset(project, { ...JSON.parse(project.meta.get('split_settings') ?? '{}'), signal });
  return unsplit;
}

/** The selection; every active item must have a split (run `splitUnsplitItems` first). */
export function selectForExport(project: Project): ExportSelection {
  const items = project.plan.activeItems();
  const unsplit = items.filter((i) => i.split === null).length;
  if (unsplit > 0) throw new Error(`${unsplit} active items have no train/validation split yet: split first (shiwake split, or Balance & split in the studio)`);
  const names = new Map(project.categories.all().map((c) => [c.id, c.name]));
  const included = items.filter((i) => (i.copies ?? 1) > 0);
  const labels = [...new Set(included.map((i) => names.get(i.category_id)!))].sort(compareCodePoints); // the same numbers on every machine
  const labelOf = new Map(labels.map((name, k) => [name, k + 1]));
  const records: Record<Split, ExportRecord[]> = { train: [], validation: [] };
  for (const item of included) {
    const text = names.get(item.category_id)!;
    const split = item.split!;
    const copies = split === 'validation' ? 1 : (item.copies ?? 1);
    for (let c = 0; c < copies; c++) records[split].push({ itemId: item.id, path: item.path, split, label: labelOf.get(text)!, text });
  }
  const byStatus = project.items.countsByStatus();
  return {
    labels,
    records,
    leftOut: { excluded: byStatus.excluded, broken: byStatus.broken, missing: byStatus.missing, balance: items.length - included.length },
  };
}

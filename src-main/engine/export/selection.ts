/**
 * What an export writes: active items with their split (splitting first with the defaults
 * when there is none), the stored balance plan's copies (validation never repeated), the
 * label list (line k of labels.txt is label k, from 1), and what was left out and why.
 */
import { splitDataset } from '../dataset/split.js';
import { compareCodePoints } from '../../shared/order.js';
import type { Project } from '../project.js';
import type { Split } from '../db/repos/plan.js';

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
  splitMadeNow: boolean;
}

export async function selectForExport(project: Project): Promise<ExportSelection> {
  let items = project.plan.activeItems();
  const splitMadeNow = items.some((i) => i.split === null);
  if (splitMadeNow) {
    await splitDataset(project, JSON.parse(project.meta.get('split_settings') ?? '{}'));
    items = project.plan.activeItems();
  }
  const names = new Map(project.categories.all().map((c) => [c.id, c.name]));
  const included = items.filter((i) => (i.copies ?? 1) > 0);
  const labels = [...new Set(included.map((i) => names.get(i.category_id)!))].sort(compareCodePoints); // the same numbers on every machine
  const labelOf = new Map(labels.map((name, k) => [name, k + 1]));
  const records: Record<Split, ExportRecord[]> = { train: [], validation: [] };
  for (const item of included) {
    const text = names.get(item.category_id)!;
    const split = item.split ?? 'train';
    const copies = split === 'validation' ? 1 : (item.copies ?? 1);
    for (let c = 0; c < copies; c++) records[split].push({ itemId: item.id, path: item.path, split, label: labelOf.get(text)!, text });
  }
  const byStatus = project.items.countsByStatus();
  return {
    labels,
    records,
    leftOut: { excluded: byStatus.excluded, broken: byStatus.broken, missing: byStatus.missing, balance: items.length - included.length },
    splitMadeNow,
  };
}

/** Spreads n records over `shards` as evenly as build_image_data.py does: shard k gets [k*n/s, (k+1)*n/s). */
export function shardRanges(n: number, shards: number): [number, number][] {
  return Array.from({ length: shards }, (_, k) => [Math.floor((k * n) / shards), Math.floor(((k + 1) * n) / shards)]);
}

export function shardName(split: Split, index: number, count: number): string {
  return `${split}-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}`;
}

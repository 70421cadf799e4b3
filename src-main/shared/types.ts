/** Domain types shared by the engine, the CLI and the renderer (no Node built-ins here). */

export const ITEM_STATUSES = ['active', 'excluded', 'missing', 'broken'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export type LabelField = 'category' | 'status';

export interface LabelEvent {
  batch: number;
  at: string;
  source: string;
  description: string;
  field: LabelField;
  from: string | null;
  to: string | null;
  /** false once the batch was undone (the change no longer holds). */
  inEffect: boolean;
}

export interface ItemHistory {
  path: string;
  originalCategory: string;
  category: string;
  status: ItemStatus;
  reason: string | null;
  events: LabelEvent[];
}

export interface CategoryStat {
  name: string;
  count: number;
}

export interface ProjectStats {
  items: number;
  active: number;
  broken: number;
  excluded: number;
  missing: number;
  categories: CategoryStat[];
  broken_items: { path: string; reason: string }[];
}

export interface Progress {
  phase: string;
  done: number;
  total: number | null;
  /** units per second, smoothed */
  rate: number;
  /** seconds, null while unknown */
  eta: number | null;
  /** files that could not be used so far (broken or skipped), where the work counts them */
  problems?: number;
}

/** Duplicate groups as the studio shows them (engine: engine/review/duplicates.ts). */
import type { GridItem } from './contract.js';

export interface DuplicateItem extends GridItem {
  split: 'train' | 'validation' | null;
}

export interface DuplicateGroupView {
  /** exact: same bytes; near: embedding similarity at or over the threshold */
  kind: 'exact' | 'near';
  /** the lowest cosine similarity of a member to the first (1 for exact) */
  similarity: number;
  /** members in both train and validation */
  leak: boolean;
  /** smallest id first: the one "keep one" keeps */
  items: DuplicateItem[];
}

export interface DuplicatePage {
  /** groups matching the filter */
  total: number;
  /** groups that are leaks (whatever the filter) */
  leaks: number;
  /** false without a run: exact duplicates only */
  near: boolean;
  threshold: number;
  /** the search job still running (its progress is in the status bar; onJobDone, then ask again), or null */
  searching: number | null;
  groups: DuplicateGroupView[];
}

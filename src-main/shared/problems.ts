/** What an import could not take as a usable image: the studio's problems panel lists these. */
export interface ImportProblem {
  /** skipped: not made an item (unreadable, a loop, not an image, ...); broken: an item that cannot be decoded */
  kind: 'skipped' | 'broken';
  path: string;
  reason: string;
  /** the broken item's id (Browse can show it) */
  itemId: number | null;
}

export interface ImportProblems {
  /** the import job the skipped files come from (the latest import unless asked), null when none ran */
  job: number | null;
  finishedAt: string | null;
  /** totals before the filter */
  skipped: number;
  broken: number;
  rows: ImportProblem[];
  /** rows matching the filter beyond the limit */
  more: number;
}

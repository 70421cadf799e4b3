import type { Db, Statement } from '../connection.js';

/**
 * Deep grid pages without walking OFFSET rows. The ids are cut into blocks of 4,096; for a
 * filter, the number of matching items in each block is counted once (one walk of the index,
 * block by block) and kept as prefix sums, so the page at any offset starts in a known block
 * with at most 4,095 rows to skip. The counts are kept while the items' stamp is unchanged:
 * a version every change of an item's status or category bumps (ItemRepo, EditRepo), and the
 * largest id (a new item always gets one). Triggers would keep it without the bumps, but even
 * an empty trigger made importing a row four times slower.
 */
export const BLOCK_BITS = 12;
const VERSION_KEY = 'items_version';
const KEPT = 8;

const bumps = new WeakMap<Db, Statement>();

/** Records that items' status or category changed: cached page blocks are recounted. Call in the writing transaction. */
export function bumpItemsVersion(db: Db): void {
  let stmt = bumps.get(db);
  if (!stmt) {
    stmt = db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
    );
    bumps.set(db, stmt);
  }
  stmt.run(VERSION_KEY);
}

export class PageBlocks {
  private readonly stampStmt: Statement;
  /** filter key -> prefix sums (prefix[b] = matching items in the blocks before b), with the stamp they were counted at */
  private readonly kept = new Map<string, { stamp: string; prefix: Float64Array }>();

  constructor(private readonly db: Db) {
    this.stampStmt = db.prepare("SELECT ifnull((SELECT value FROM meta WHERE key = ?), '0') || ':' || ifnull((SELECT MAX(id) FROM items), 0)").pluck();
  }

  stamp(): string {
    return this.stampStmt.get(VERSION_KEY) as string;
  }

  /** Prefix sums for this filter if counted at this stamp. */
  cached(key: string, stamp: string): Float64Array | undefined {
    const k = this.kept.get(key);
    return k?.stamp === stamp ? k.prefix : undefined;
  }

  /** Prefix sums for this filter at this stamp, counting block by block with `countStmt` (params, then lo, hi) when not kept. */
  prefix(key: string, stamp: string, countStmt: Statement, params: unknown[]): Float64Array {
    const hit = this.cached(key, stamp);
    if (hit) return hit;
    const maxId = Number(stamp.slice(stamp.lastIndexOf(':') + 1));
    const blocks = (maxId >> BLOCK_BITS) + 1;
    const prefix = new Float64Array(blocks + 1);
    for (let b = 0; b < blocks; b++) prefix[b + 1] = prefix[b]! + (countStmt.get(...params, b << BLOCK_BITS, (b + 1) << BLOCK_BITS) as number);
    this.kept.delete(key);
    if (this.kept.size >= KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, { stamp, prefix });
    return prefix;
  }
}

/** The block holding position `offset` (prefix[b] <= offset < prefix[b + 1]); offset must be below the total. */
export function blockAt(prefix: Float64Array, offset: number): number {
  let lo = 0;
  let hi = prefix.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (prefix[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

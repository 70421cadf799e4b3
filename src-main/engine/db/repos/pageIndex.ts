import type { Db, Statement } from '../connection.js';

/**
 * Deep grid pages without walking OFFSET rows. The ids are cut into blocks of 4,096; for a
 * filter, the number of matching items in each block is counted (one walk of the index, block
 * by block) and kept with prefix sums, so the page at any offset starts in a known block with
 * at most 4,095 rows to skip. The counts hold for a stamp: a version that every change of an
 * item's status or category bumps (ItemRepo, EditRepo), and the largest id (a new item always
 * gets a larger one). Triggers would keep it without the bumps, but even an empty trigger made
 * importing a row four times slower.
 *
 * A change made through this connection also notes which blocks it touched, so the next page
 * recounts only those (a relabel: one block); after another process's change, or one whose
 * blocks are unknown, every block is counted again.
 */
export const BLOCK_BITS = 12;
const VERSION_KEY = 'items_version';
const KEPT = 8;
const LOGGED = 256;

interface Bumps {
  stmt: Statement;
  /** version -> blocks that change touched (null: unknown), for changes made on this connection */
  log: Map<number, Set<number> | null>;
}
const bumps = new WeakMap<Db, Bumps>();

function bumpsOf(db: Db): Bumps {
  let b = bumps.get(db);
  if (!b) {
    const stmt = db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) RETURNING value",
    );
    b = { stmt: stmt.pluck(), log: new Map() };
    bumps.set(db, b);
  }
  return b;
}

/**
 * Records that items' status or category changed, in the writing transaction, with the ids'
 * blocks when known (ids, or a statement giving them), so kept page counts are corrected.
 */
export function bumpItemsVersion(db: Db, blocks: Iterable<number> | null = null): void {
  const b = bumpsOf(db);
  const version = Number(b.stmt.get(VERSION_KEY));
  b.log.delete(version); // a rolled-back change may have used this number
  b.log.set(version, blocks === null ? null : new Set(blocks));
  if (b.log.size > LOGGED) b.log.delete(b.log.keys().next().value!);
}

export function blockOf(id: number): number {
  return id >> BLOCK_BITS;
}

interface Kept {
  version: number;
  maxId: number;
  counts: Float64Array;
  prefix: Float64Array;
}

export class PageBlocks {
  private readonly stampStmt: Statement;
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly db: Db) {
    this.stampStmt = db.prepare("SELECT CAST(ifnull((SELECT value FROM meta WHERE key = ?), '0') AS INTEGER) AS version, ifnull((SELECT MAX(id) FROM items), 0) AS maxId");
  }

  stamp(): { version: number; maxId: number } {
    return this.stampStmt.get(VERSION_KEY) as { version: number; maxId: number };
  }

  /** Whether counts for this filter are kept (maybe for an older stamp, then corrected by prefix()). */
  has(key: string): boolean {
    return this.kept.has(key);
  }

  /** Prefix sums (prefix[b] = matching items in the blocks before b) if kept for this stamp. */
  cached(key: string, stamp: { version: number; maxId: number }): Float64Array | undefined {
    const k = this.kept.get(key);
    return k && k.version === stamp.version && k.maxId === stamp.maxId ? k.prefix : undefined;
  }

  /** Prefix sums for this filter at this stamp; `countStmt` (params, then lo, hi) counts one block. */
  prefix(key: string, stamp: { version: number; maxId: number }, countStmt: Statement, params: unknown[]): Float64Array {
    const hit = this.cached(key, stamp);
    if (hit) return hit;
    const blocks = blockOf(stamp.maxId) + 1;
    const counts = new Float64Array(blocks);
    const count = (b: number): number => countStmt.get(...params, b << BLOCK_BITS, (b + 1) << BLOCK_BITS) as number;
    const old = this.kept.get(key);
    const dirty = old && old.maxId <= stamp.maxId ? this.touchedSince(old.version, stamp.version) : null;
    if (old && dirty) {
      counts.set(old.counts.subarray(0, Math.min(old.counts.length, blocks)));
      for (const b of dirty) if (b < blocks) counts[b] = count(b);
      // new items: the block that held the largest id and every one after it
      for (let b = blockOf(old.maxId); b < blocks; b++) counts[b] = count(b);
    } else for (let b = 0; b < blocks; b++) counts[b] = count(b);
    const prefix = new Float64Array(blocks + 1);
    for (let b = 0; b < blocks; b++) prefix[b + 1] = prefix[b]! + counts[b]!;
    this.kept.delete(key);
    if (this.kept.size >= KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, { version: stamp.version, maxId: stamp.maxId, counts, prefix });
    return prefix;
  }

  /** Blocks changed between two versions, when every change between them was made here with its blocks noted; else null. */
  private touchedSince(from: number, to: number): Set<number> | null {
    if (to < from || to - from > LOGGED) return null;
    const log = bumpsOf(this.db).log;
    const all = new Set<number>();
    for (let v = from + 1; v <= to; v++) {
      const blocks = log.get(v);
      if (!blocks) return null;
      for (const b of blocks) all.add(b);
    }
    return all;
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

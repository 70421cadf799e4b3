/**
 * The only importer of better-sqlite3. Opens a project database with the settings every
 * caller relies on (WAL, foreign keys, a busy timeout, write transactions that wait their
 * turn) and brings its schema up to date.
 */
import Database from 'better-sqlite3';
import { describeLockHolder } from './lockHolder.js';
import { migrations, type Migration } from './migrations.js';

export type Db = Database.Database;
export type Statement = Database.Statement;

export interface OpenOptions {
  readonly?: boolean;
  /** Apply migrations up to this version only (tests of a single migration). */
  migrateTo?: number;
}

/** how long a write waits for another process's write to finish before it gives up */
export const BUSY_TIMEOUT_MS = 5000;

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) immediateTransactions(db, file);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process kill; only a power cut can lose the last commits.
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -65536'); // 64 MiB page cache: the 1M-item indexes stay in memory
  if (!options.readonly) migrate(db, options.migrateTo ?? Number.POSITIVE_INFINITY);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, upTo: number): void {
  const current = schemaVersion(db);
  const newest = migrations[migrations.length - 1]!.version;
  if (current > newest) {
    throw new Error(
      `this project was written by a newer Shiwake (schema ${current}, this one knows up to ${newest}); update Shiwake to open it`,
    );
  }
  const pending = migrations.filter((m: Migration) => m.version > current && m.version <= upTo);
  for (const m of pending) {
    db.transaction(() => {
      // another process opening the same new project may have applied it while this one waited
      if (schemaVersion(db) >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

/**
 * Makes every `db.transaction()` start with BEGIN IMMEDIATE. A deferred transaction reads
 * first and upgrades to a write lock on its first write; when another process committed in
 * between, SQLite must refuse at once ("database is locked"), never using the busy timeout.
 * An immediate one takes the write lock first, so concurrent writers queue for up to
 * BUSY_TIMEOUT_MS. Every transaction in Shiwake writes, so this is the default for all of
 * them, in this one place. A write that still times out says which process holds the lock;
 * one that finds the disk full names the database file.
 */
function immediateTransactions(db: Db, file: string): void {
  const deferred = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const t = deferred(fn);
    const run = function (this: unknown, ...args: unknown[]): unknown {
      try {
        return t.immediate.apply(this, args);
      } catch (err) {
        throw explainWriteError(err, file);
      }
    };
    return Object.assign(run, { default: run, immediate: run, deferred: t.deferred, exclusive: t.exclusive, database: db });
  }) as Db['transaction'];
}

/** A busy or full-disk SQLite error as one line a person can act on; other errors as they are. */
export function explainWriteError(err: unknown, file: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_FULL') return Object.assign(new Error(`no space left on the device writing ${file} (database or disk is full)`), { code });
  if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) return err;
  return new Error(
    `${file} is busy: ${describeLockHolder(file)} has been writing to it for over ${BUSY_TIMEOUT_MS / 1000} s; try again when it finishes`,
  );
}

/** Runs `fn` inside one transaction (all or nothing). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn)();
}

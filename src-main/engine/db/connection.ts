/**
 * The only importer of better-sqlite3. Opens a project database with the settings every
 * caller relies on (WAL, foreign keys, a busy timeout) and brings its schema up to date.
 */
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations.js';

export type Db = Database.Database;
export type Statement = Database.Statement;

export interface OpenOptions {
  readonly?: boolean;
  /** Apply migrations up to this version only (tests of a single migration). */
  migrateTo?: number;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
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
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

/** Runs `fn` inside one transaction (all or nothing). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn)();
}

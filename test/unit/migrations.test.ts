import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/engine/db/connection.js';
import { migrations } from '../../src-main/engine/db/migrations.js';
import { tempDir } from '../fixtures/tmp.js';

const dir = tempDir();

describe('migrations', () => {
  it('are numbered 1..n with no gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  for (const m of migrations) {
    it(`migration ${m.version} (${m.name}) applies on top of the previous ones`, () => {
      const db = openDatabase(path.join(dir, `m${m.version}.db`), { migrateTo: m.version });
      expect(schemaVersion(db)).toBe(m.version);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    });
  }

  it('migration 1 creates the store with WAL and foreign keys on', () => {
    const db = openDatabase(path.join(dir, 'full.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['batches', 'categories', 'import_issues', 'items', 'jobs', 'label_events', 'meta']));
    // an item must point at an existing category
    expect(() =>
      db.prepare("INSERT INTO items (path, size, mtime_ms, original_category_id, category_id) VALUES ('a.jpg', 1, 1, 99, 99)").run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db.prepare("INSERT INTO categories (name, leaf_name, depth) VALUES ('x', 'x', 0)").run() &&
      db.prepare("INSERT INTO items (path, size, mtime_ms, original_category_id, category_id, status) VALUES ('a.jpg', 1, 1, 1, 1, 'weird')").run(),
    ).toThrow(/CHECK/);
    db.close();
  });

  it('migration 5 marks existing items not yet decoded', () => {
    const file = path.join(dir, 'm5-upgrade.db');
    const old = openDatabase(file, { migrateTo: 4 });
    old.prepare("INSERT INTO categories (name, leaf_name, depth) VALUES ('x', 'x', 0)").run();
    old.prepare("INSERT INTO items (path, size, mtime_ms, original_category_id, category_id) VALUES ('a.jpg', 1, 1, 1, 1)").run();
    old.close();
    const db = openDatabase(file, { migrateTo: 5 });
    expect(db.prepare('SELECT decoded FROM items').pluck().get()).toBe(0);
    expect(() => db.prepare('UPDATE items SET decoded = 2').run()).toThrow(/CHECK/);
    db.close();
  });

  it('migration 7 gives existing runs an empty name and note', () => {
    const file = path.join(dir, 'm7-upgrade.db');
    const old = openDatabase(file, { migrateTo: 6 });
    old.prepare("INSERT INTO runs (id, created_at, model, options, state, updated_at) VALUES ('r', 't', 'small-cnn', '{}', 'done', 't')").run();
    old.close();
    const db = openDatabase(file, { migrateTo: 7 });
    expect(db.prepare('SELECT name, note FROM runs').get()).toEqual({ name: null, note: null });
    db.close();
  });

  it('opening again is a no-op, and a newer schema is refused with a clear message', () => {
    const file = path.join(dir, 'again.db');
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.length);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer Shiwake/);
  });
});

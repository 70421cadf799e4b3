/**
 * Grid pages at any offset equal the plain OFFSET query's page over the same rows, for every
 * sort and the filters the grid has, before and after relabels, excludes, restores, undo, new
 * items and gaps in the ids: however pages are found, what the grid shows cannot change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemFilter } from '../../src-main/shared/contract.js';
import { Project } from '../../src-main/engine/project.js';
import { Studio } from '../../src-main/engine/studio/studio.js';
import { pageTuning } from '../../src-main/engine/db/repos/browse.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const dir = path.join(tmp, 'project');
const N = 14_000;
let studio: Studio;

function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function addItems(p: Project, from: number, n: number, interleaved: boolean): void {
  const r = rng(from + 1);
  p.db.transaction(() => {
    const cats = Array.from({ length: 30 }, (_, c) => p.categories.ensure(`Dept ${c % 3} > Group ${c % 6} > Cat ${c}`));
    const insert = p.db.prepare(
      "INSERT INTO items (path, size, mtime_ms, width, height, format, original_category_id, category_id, status, split) VALUES (?, ?, ?, 8, 8, 'jpeg', ?, ?, ?, ?)",
    );
    for (let i = from; i < from + n; i++) {
      // folder order (categories in runs) for most, a shuffled manifest for the rest
      const c = interleaved ? Math.floor(r() * 30) : Math.floor(((i - from) / n) * 30);
      const status = r() < 0.05 ? 'broken' : r() < 0.05 ? 'excluded' : 'active';
      const split = r() < 0.3 ? null : r() < 0.8 ? 'train' : 'validation';
      insert.run(`Cat ${c}/${(i * 7919) % 100_003}.jpg`, 1000 + Math.floor(r() * 50), Math.floor(r() * 1e6), cats[c], cats[c], status, split);
    }
  })();
}

beforeAll(async () => {
  // every page through the block counts, not only those past the first 8,192 items
  pageTuning.directOffset = 0;
  fs.mkdirSync(path.join(tmp, 'data'), { recursive: true });
  const p = Project.openOrCreate(dir, path.join(tmp, 'data'));
  addItems(p, 0, 9000, false);
  // a hole in the ids, as after deleted items
  p.db.prepare('DELETE FROM items WHERE id BETWEEN 4000 AND 6500').run();
  addItems(p, 9000, N - 9000, true);
  p.close();
  studio = new Studio({ mode: 'browser', version: 'test' }, () => {});
  await studio.openProject(dir);
});
afterAll(() => studio.closeProject());

const ORDER: Record<string, string> = { import: 'id', name: 'path, id', size: 'size DESC, id', date: 'mtime_ms DESC, id' };

/** The grid's query as it was: one WHERE, one ORDER BY, LIMIT and OFFSET. */
function reference(p: Project, filter: ItemFilter, offset: number, limit: number, counted = false): { rows: unknown[]; count: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.categoryId !== undefined) {
    const name = p.db.prepare('SELECT name FROM categories WHERE id = ?').pluck().get(filter.categoryId) as string;
    if (filter.descendants === false) where.push('category_id = ' + filter.categoryId);
    else {
      where.push("category_id IN (SELECT id FROM categories WHERE name = ? OR name LIKE ? || ' > %')");
      params.push(name, name);
    }
  }
  const status = filter.status ?? 'active';
  if (status !== 'any') (where.push('status = ?'), params.push(status));
  if (filter.split === 'none') where.push('split IS NULL');
  else if (filter.split && filter.split !== 'any') (where.push('split = ?'), params.push(filter.split));
  if (filter.search) (where.push("path LIKE ? ESCAPE '\\'"), params.push(`%${filter.search}%`));
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  if (counted) return { rows: [], count: p.db.prepare(`SELECT COUNT(*) FROM items ${w}`).pluck().get(...params) as number };
  const rows = p.db
    .prepare(`SELECT id, path, category_id AS categoryId, status FROM items ${w} ORDER BY ${ORDER[filter.sort ?? 'import']} LIMIT ? OFFSET ?`)
    .all(...params, limit, offset);
  return { rows, count: -1 };
}

async function call<T>(method: Parameters<Studio['handle']>[0], args: unknown): Promise<T> {
  const r = await studio.handle(method, args);
  if (!r.ok) throw new Error(r.error);
  return r.value as T;
}

async function expectSamePages(label: string): Promise<void> {
  const p = Project.open(dir);
  try {
    const cats = p.db.prepare("SELECT id FROM categories WHERE name IN ('Dept 1', 'Dept 0 > Group 3', 'Dept 2 > Group 5 > Cat 17')").pluck().all() as number[];
    // the last two filters are the first two again: their counts are kept when the next edits come, which must not
    // leave them stale
    const filters: ItemFilter[] = [
      {}, { categoryId: cats[0]! }, { status: 'any' }, { status: 'excluded' }, { status: 'broken' }, { split: 'train' }, { split: 'none' }, { search: '7' },
      { sort: 'name' }, { sort: 'size' }, { sort: 'date', status: 'any' },
      ...cats.flatMap((categoryId): ItemFilter[] => [{ categoryId }, { categoryId, descendants: false }, { categoryId, status: 'any' }, { categoryId, split: 'validation' }, { categoryId, sort: 'size' }]),
      {}, { categoryId: cats[0]! },
    ];
    const r = rng(3);
    for (const filter of filters) {
      const { count } = reference(p, filter, 0, 1, true);
      expect(await call<number>('items.count', { filter }), `${label}: count of ${JSON.stringify(filter)}`).toBe(count);
      const offsets = [0, 1, 399, 4095, 4096, 8191, Math.max(0, count - 400), Math.max(0, count - 1), count, count + 50, ...Array.from({ length: 4 }, () => Math.floor(r() * count))];
      for (const [k, offset] of offsets.entries()) {
        const limit = k % 3 === 0 ? 57 : 400;
        const page = (await call<{ id: number; path: string; categoryId: number; status: string }[]>('items.page', { filter, offset, limit })).map(({ id, path, categoryId, status }) => ({ id, path, categoryId, status }));
        expect(page, `${label}: ${JSON.stringify(filter)} at ${offset} (${limit})`).toEqual(reference(p, filter, offset, limit).rows);
      }
    }
  } finally {
    p.close();
  }
}

describe('grid pages', () => {
  it('equal the OFFSET query for every sort and filter, also after edits', async () => {
    await expectSamePages('as imported');
    const p = Project.open(dir);
    const ids = p.db.prepare("SELECT id FROM items WHERE status = 'active' AND id % 7 = 3").pluck().all() as number[];
    const excluded = p.db.prepare("SELECT id FROM items WHERE status = 'excluded' AND id % 5 = 1").pluck().all() as number[];
    p.close();
    await call('labels.move', { selection: { ids: ids.slice(0, 600) }, category: 'Dept 1 > Group 1 > Moved here' });
    await call('labels.exclude', { selection: { ids: ids.slice(600, 900) } });
    await call('labels.restore', { selection: { ids: excluded } });
    await expectSamePages('after moves, excludes, restores');
    await call('labels.undo', {});
    await expectSamePages('after undo');
    // another writer (a CLI command) marks items broken and imports more, while the studio stays open
    const q = Project.open(dir);
    for (const id of q.db.prepare('SELECT id FROM items WHERE id % 97 = 0').pluck().all() as number[]) q.items.setStatus(id, 'broken', 'test');
    addItems(q, N, 3000, true);
    q.close();
    await expectSamePages('after another writer and new items');
    const r = Project.open(dir);
    r.db.prepare('DELETE FROM label_events WHERE item_id BETWEEN 12000 AND 12100').run();
    r.db.prepare('DELETE FROM items WHERE id BETWEEN 12000 AND 12100').run();
    r.close();
    await studio.closeProject();
    await studio.openProject(dir);
    await expectSamePages('after deletions');
  });
});

/**
 * Several processes writing one project: the studio notices edits made elsewhere, concurrent
 * writers wait their turn instead of failing, and a write that cannot proceed names the
 * process holding the lock.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { idsForPaths, moveItems } from '../../src-main/engine/dataset/labels.js';
import { SPLIT_CHUNK, splitDataset } from '../../src-main/engine/dataset/split.js';
import { openDatabase } from '../../src-main/engine/db/connection.js';
import { Project } from '../../src-main/engine/project.js';
import { Studio } from '../../src-main/engine/studio/studio.js';
import type { CategoryNode, Events } from '../../src-main/shared/contract.js';
import { REPO, spawnShiwake } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
process.env.SHIWAKE_HOME = path.join(tmp, 'home');
let n = 0;

beforeAll(async () => {
  for (let i = 0; i < 10; i++) await writeImage(path.join(root, 'A', `${i}.jpg`), { seed: i, width: 32, height: 32 });
});

async function freshProject(): Promise<Project> {
  const project = Project.openOrCreate(path.join(tmp, `project-${n++}`), root);
  await importDataset(project);
  return project;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (check()) return true;
  return check();
}

function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('edits by another process', () => {
  it('reach an open studio as onLabelsChanged within about a second; other writes do not', async () => {
    const setup = await freshProject();
    const dir = setup.dir;
    setup.close();
    const events: Events['onLabelsChanged'][] = [];
    const studio = new Studio({ mode: 'browser', version: 'test' }, (event, payload) => {
      if (event === 'onLabelsChanged') events.push(payload as Events['onLabelsChanged']);
    });
    await studio.openProject(dir);
    const other = Project.open(dir);
    try {
      other.meta.set('unrelated', 'a write that is not a label change'); // like a training run's metrics
      await sleep(1500);
      expect(events).toEqual([]);
      moveItems(other, idsForPaths(other, ['A/0.jpg']), 'Elsewhere');
      expect(await until(() => events.length > 0, 5000)).toBe(true);
      expect(events[0]).toEqual({ batch: null, description: 'changed by another program' });
      const tree = await studio.handle('categories.tree', {});
      expect(tree.ok && (tree.value as CategoryNode[]).map((c) => `${c.name}:${c.count}`)).toEqual(['A:9', 'Elsewhere:1']);
    } finally {
      other.close();
      await studio.closeProject();
    }
  });
});

describe('concurrent writers', () => {
  it('all succeed: two CLI relabels into the same new category and an exclude, while this process keeps taking the write lock', async () => {
    const project = await freshProject();
    const dir = project.dir;
    const holder = openDatabase(path.join(dir, 'shiwake.db'));
    let stop = false;
    const errors: string[] = [];
    // Holds the write lock 30 ms at a time and commits a change each time: a deferred
    // transaction that read in between could never upgrade ("database is locked").
    const hammer = (async () => {
      for (let tick = 0; !stop; tick++) {
        try {
          holder.exec('BEGIN IMMEDIATE');
          holder.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('tick', ?)").run(String(tick));
          await sleep(30);
          holder.exec('COMMIT');
          moveItems(project, idsForPaths(project, [`A/${8 + (tick % 2)}.jpg`]), tick % 2 ? 'T > One' : 'T > Two');
        } catch (err) {
          errors.push((err as Error).message);
          if (holder.inTransaction) holder.exec('ROLLBACK');
        }
        await sleep(30);
      }
    })();
    const p = ['--project', dir];
    const runs = await Promise.all([
      exitOf(spawnShiwake(['relabel', ...p, '--to', 'New > Shared', 'A/0.jpg', 'A/1.jpg'], { stdio: ['ignore', 'ignore', 'pipe'] })),
      exitOf(spawnShiwake(['relabel', ...p, '--to', 'New > Shared', 'A/2.jpg', 'A/3.jpg'], { stdio: ['ignore', 'ignore', 'pipe'] })),
      exitOf(spawnShiwake(['exclude', ...p, 'A/4.jpg'], { stdio: ['ignore', 'ignore', 'pipe'] })),
    ]);
    stop = true;
    await hammer;
    holder.close();
    expect(runs).toEqual([{ code: 0, stderr: '' }, { code: 0, stderr: '' }, { code: 0, stderr: '' }]);
    expect(errors).toEqual([]);
    const categoryOf = (p: string) => project.categories.nameOf(project.items.get(idsForPaths(project, [p])[0]!)!.category_id);
    expect(['A/0.jpg', 'A/1.jpg', 'A/2.jpg', 'A/3.jpg'].map(categoryOf)).toEqual(Array(4).fill('New > Shared'));
    expect(project.items.get(idsForPaths(project, ['A/4.jpg'])[0]!)!.status).toBe('excluded');
    project.close();
  });

  it('a long split commits in chunks, so writes from elsewhere interleave', async () => {
    const project = Project.openOrCreate(path.join(tmp, `project-${n++}`), root);
    const total = SPLIT_CHUNK * 2 + 500;
    project.db.transaction(() => {
      const categoryId = project.categories.ensure('Many');
      for (let i = 0; i < total; i++) {
        // unique sizes: no duplicate hashing, which would read files these rows do not have
        project.items.insert({ path: `many/${i}.jpg`, size: 1000 + i, mtime_ms: 0, width: 8, height: 8, format: 'jpeg', category_id: categoryId, status: 'active', reason: null } as never);
      }
    })();
    const other = Project.open(project.dir);
    const seen: number[] = [];
    let done = false;
    const tick = (): void => {
      if (done) return;
      seen.push(other.db.prepare('SELECT COUNT(*) FROM items WHERE split IS NOT NULL').pluck().get() as number);
      other.meta.set('tick', String(seen.length)); // a write between two of the split's transactions
      setImmediate(tick);
    };
    setImmediate(tick);
    const summary = await splitDataset(project, { seed: 1 });
    done = true;
    expect(summary.train + summary.validationItems).toBe(total);
    expect(seen.some((count) => count > 0 && count < total)).toBe(true);
    other.close();
    project.close();
  });

  it('a write that still cannot proceed says which process holds the lock', async () => {
    const project = await freshProject();
    const file = path.join(project.dir, 'shiwake.db');
    const script = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)}); db.exec('BEGIN IMMEDIATE');
      db.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('held', 'yes')"); console.log('holding'); setInterval(() => {}, 60000);`; // holds until the test kills it: a CLI slow to start under load must still find it busy
    const child = spawn(process.execPath, ['-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      const busy = new RegExp(`shiwake\\.db is busy: process ${child.pid} running "node -e [\\s\\S]*" has been writing to it for over 5 s; try again when it finishes$`);
      // a command whose first write is a single statement (the export's job row), not a transaction
      const cli = exitOf(spawnShiwake(['export', '--project', project.dir, '--format', 'csv', '--out', path.join(tmp, 'never')], { stdio: ['ignore', 'ignore', 'pipe'] }));
      expect(() => moveItems(project, idsForPaths(project, ['A/0.jpg']), 'B')).toThrow(busy);
      const { code, stderr } = await cli;
      expect(code).toBe(1);
      expect(stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^shiwake: error: .*${busy.source}`));
    } finally {
      child.kill('SIGKILL');
      project.close();
    }
  });
});

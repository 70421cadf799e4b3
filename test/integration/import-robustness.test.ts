import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { excludeItems } from '../../src-main/engine/dataset/labels.js';
import { projectStats } from '../../src-main/engine/dataset/stats.js';
import { Project } from '../../src-main/engine/project.js';
import { Studio } from '../../src-main/engine/studio/studio.js';
import { shiwake, shiwakeJson, spawnShiwake } from '../fixtures/cli.js';
import { imageBytes, writeImage } from '../fixtures/images.js';
import { requireSystem, tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

/** Many small files fast: one JPEG's bytes with a different comment segment each. */
async function manyJpegs(root: string, count: number, folders: number): Promise<void> {
  const base = await imageBytes({ width: 16, height: 16 });
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `cat-${String(i % folders).padStart(3, '0')}`);
    if (i < folders) fs.mkdirSync(dir, { recursive: true });
    const comment = Buffer.from(`img ${i}`);
    const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, comment.length + 2]), comment]);
    fs.writeFileSync(path.join(dir, `${i}.jpg`), Buffer.concat([base.subarray(0, 2), com, base.subarray(2)]));
  }
}

describe('import robustness', () => {
  it('survives a kill in the middle and finishes on the next run', async () => {
    const root = path.join(tmp, 'kill');
    const projectDir = path.join(tmp, 'kill-project');
    const total = 20_000;
    await manyJpegs(root, total, 50);
    const child = spawnShiwake(['import', root, '--project', projectDir], { stdio: 'ignore' });
    const dbFile = path.join(projectDir, 'shiwake.db');
    let atKill = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      if (child.exitCode !== null) break;
      if (!fs.existsSync(dbFile)) continue;
      const db = new Database(dbFile, { readonly: true });
      try {
        atKill = db.prepare('SELECT COUNT(*) FROM items').pluck().get() as number;
      } catch {
        atKill = 0; // schema not created yet
      } finally {
        db.close();
      }
      if (atKill > 0) {
        child.kill('SIGKILL');
        break;
      }
    }
    await new Promise((r) => child.once('exit', r));
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(total);

    const db = new Database(dbFile, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const summary = shiwakeJson(['import', root, '--project', projectDir]);
    expect(summary.added + summary.unchanged).toBe(total);
    expect(summary.unchanged).toBeGreaterThanOrEqual(atKill);
    const stats = shiwakeJson(['stats', '--project', projectDir]);
    expect(stats).toMatchObject({ items: total, active: total, broken: 0, missing: 0 });
    expect(stats.categories).toHaveLength(50);
    const project = Project.open(projectDir);
    const states = project.db.prepare('SELECT state FROM jobs ORDER BY id').pluck().all();
    expect(states).toEqual(['interrupted', 'done']);
    project.close();
  });

  it('lists a file that vanishes during the scan', async () => {
    const root = path.join(tmp, 'vanish');
    await manyJpegs(root, 300, 3);
    await writeImage(path.join(root, 'zz-last/vanishing.jpg'));
    const project = Project.openOrCreate(path.join(tmp, 'vanish-project'), root);
    let removed = false;
    const summary = await importDataset(project, {
      concurrency: 4,
      onProgress: (p) => {
        if (!removed && p.phase === 'reading image headers') {
          fs.rmSync(path.join(root, 'zz-last/vanishing.jpg'));
          removed = true;
        }
      },
    });
    project.close();
    expect(removed).toBe(true);
    expect(summary.issues).toContainEqual({ path: 'zz-last/vanishing.jpg', reason: expect.stringMatching(/vanished during the scan/) });
    expect(summary.added).toBe(300);
  });

  it('can be cancelled, keeps what it did, and a re-run finishes', async () => {
    const root = path.join(tmp, 'cancel');
    await manyJpegs(root, 3000, 5);
    const projectDir = path.join(tmp, 'cancel-project');
    const project = Project.openOrCreate(projectDir, root);
    const controller = new AbortController();
    const summary = await importDataset(project, {
      signal: controller.signal,
      onProgress: (p) => p.phase === 'reading image headers' && p.done >= 64 && controller.abort(),
    });
    expect(summary.state).toBe('cancelled');
    expect(summary.missing).toBe(0);
    expect(project.jobs.latest('import')?.state).toBe('cancelled');
    const again = await importDataset(project);
    expect(again.added + again.unchanged).toBe(3000);
    project.close();
  });

  it('reports unreadable files and folders (permission denied) and goes on', async () => {
    const root = path.join(tmp, 'perm');
    await writeImage(path.join(root, 'Open/ok.jpg'));
    await writeImage(path.join(root, 'Open/secret.jpg'));
    await writeImage(path.join(root, 'Locked/inside.jpg'));
    fs.chmodSync(path.join(root, 'Open/secret.jpg'), 0o000);
    fs.chmodSync(path.join(root, 'Locked'), 0o000);
    const projectDir = path.join(tmp, 'perm-project');
    // root reads everything: run the import as root without the capabilities that bypass file
    // permissions (util-linux setpriv), so it meets the files as a person would
    const isRoot = process.getuid?.() === 0;
    if (isRoot && !requireSystem('setpriv (util-linux)', fs.existsSync('/usr/bin/setpriv'))) return;
    const r = shiwake(['import', root, '--project', projectDir, '--json'], isRoot ? ['/usr/bin/setpriv', '--bounding-set', '-dac_override,-dac_read_search'] : []);
    fs.chmodSync(path.join(root, 'Locked'), 0o755);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.issues).toContainEqual({ path: 'Locked', reason: 'cannot read folder: permission denied' });
    expect(summary.added).toBe(2);
    const stats = shiwakeJson(['stats', '--project', projectDir]);
    expect(stats.broken_items).toEqual([{ path: 'Open/secret.jpg', reason: 'cannot read: permission denied' }]);
  });

  it('leaves the items of a folder it cannot read as they were, instead of marking them missing', async () => {
    const root = path.join(tmp, 'perm-later');
    await writeImage(path.join(root, 'Open/ok.jpg'));
    await writeImage(path.join(root, 'Locked/a.jpg'), { seed: 1 });
    await writeImage(path.join(root, 'Locked/deeper/b.jpg'), { seed: 2 });
    const projectDir = path.join(tmp, 'perm-later-project');
    expect(shiwakeJson(['import', root, '--project', projectDir]).added).toBe(3);
    const isRoot = process.getuid?.() === 0;
    if (isRoot && !requireSystem('setpriv (util-linux)', fs.existsSync('/usr/bin/setpriv'))) return;
    fs.chmodSync(path.join(root, 'Locked'), 0o000);
    const r = shiwake(['import', root, '--project', projectDir, '--json'], isRoot ? ['/usr/bin/setpriv', '--bounding-set', '-dac_override,-dac_read_search'] : []);
    fs.chmodSync(path.join(root, 'Locked'), 0o755);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.missing).toBe(0);
    expect(summary.issues).toContainEqual({ path: 'Locked', reason: 'cannot read folder: permission denied; its 2 items from earlier imports left as they were' });
    expect(shiwakeJson(['stats', '--project', projectDir])).toMatchObject({ items: 3, active: 3, missing: 0 });
  });

  it('gives an exclusion back when a vanished file returns', async () => {
    const root = path.join(tmp, 'comeback');
    const bytes = await writeImage(path.join(root, 'A/x.jpg'));
    await writeImage(path.join(root, 'A/y.jpg'), { seed: 3 });
    const project = Project.openOrCreate(path.join(tmp, 'comeback-project'), root);
    await importDataset(project);
    excludeItems(project, [project.items.findByPath('A/x.jpg')!.id]);
    fs.rmSync(path.join(root, 'A/x.jpg'));
    expect((await importDataset(project)).missing).toBe(1);
    expect(projectStats(project)).toMatchObject({ excluded: 0, missing: 1 });
    fs.writeFileSync(path.join(root, 'A/x.jpg'), bytes);
    expect((await importDataset(project)).restored).toBe(1);
    expect(projectStats(project)).toMatchObject({ active: 1, excluded: 1, missing: 0 });
    project.close();
  });

  it('gives a one-line error and a non-zero exit for a folder that does not exist, and creates no project', () => {
    const projectDir = path.join(tmp, 'nope-project');
    const r = shiwake(['import', path.join(tmp, 'nope'), '--project', projectDir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot open the dataset folder .*nope: it does not exist/);
    expect(fs.existsSync(projectDir)).toBe(false);
  });

  it('creates no project for a manifest that is missing or unreadable as a manifest', async () => {
    const root = path.join(tmp, 'manifest-root');
    await writeImage(path.join(root, 'a.jpg'));
    const noManifest = shiwake(['import', root, '--project', path.join(tmp, 'no-manifest-project'), '--manifest', path.join(tmp, 'typo.csv')]);
    expect(noManifest.code).toBe(1);
    expect(noManifest.stderr).toMatch(/cannot read the manifest .*typo\.csv/);
    expect(fs.existsSync(path.join(tmp, 'no-manifest-project'))).toBe(false);
    fs.writeFileSync(path.join(tmp, 'bad.csv'), 'file,category\na.jpg,A\n');
    const bad = shiwake(['import', root, '--project', path.join(tmp, 'bad-manifest-project'), '--manifest', path.join(tmp, 'bad.csv')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.csv: the first line must be a header/);
    expect(fs.existsSync(path.join(tmp, 'bad-manifest-project'))).toBe(false);
  });

  it('the studio makes no project for a dataset folder that does not exist', async () => {
    const studio = new Studio({ mode: 'browser', version: 'test' }, () => {});
    const projectDir = path.join(tmp, 'studio-typo-project');
    const r = await studio.handle('project.openDataset', { datasetRoot: path.join(tmp, 'typo-folder'), projectDir });
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/typo-folder: it does not exist/) });
    expect(fs.existsSync(projectDir)).toBe(false);
    await studio.closeProject();
  });
});

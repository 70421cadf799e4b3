import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { moveItems } from '../../src-main/engine/dataset/labels.js';
import { splitDataset } from '../../src-main/engine/dataset/split.js';
import { verifyUndecoded } from '../../src-main/engine/dataset/verify.js';
import { exportCsv, exportFolders } from '../../src-main/engine/export/exportFiles.js';
import { exportTfrecord } from '../../src-main/engine/export/exportTfrecord.js';
import { Project } from '../../src-main/engine/project.js';
import { parseArgs } from '../../src-main/shared/contract.js';
import { LIMITS } from '../../src-main/shared/limits.js';
import { shiwake, shiwakeJson, spawnShiwake } from '../fixtures/cli.js';
import { jpegWithMiddleCut, writeImage, TORN_JPEG_REASON } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

describe('label numbering', () => {
  it('is code-point order, the same on every machine', async () => {
    const root = path.join(tmp, 'order');
    const names = ['😀', 'Ｚ', 'バッグ', 'É', 'e', 'b', 'Z', 'B'];
    for (const [i, name] of names.entries()) await writeImage(path.join(root, name, `${i}.jpg`), { seed: i });
    const project = Project.openOrCreate(path.join(tmp, 'order-project'), root);
    await importDataset(project);
    const out = path.join(tmp, 'order-out');
    await exportCsv(project, out);
    project.close();
    expect(fs.readFileSync(path.join(out, 'labels.txt'), 'utf8')).toBe('B\nZ\nb\ne\nÉ\nバッグ\nＺ\n😀\n');
  });
});

describe('no image leaves undecoded', () => {
  it('export decodes the images not yet checked, and a JPEG missing its middle is left out as broken, not passed through', async () => {
    const root = path.join(tmp, 'torn');
    for (let i = 0; i < 6; i++) await writeImage(path.join(root, `c${i % 2}`, `${i}.jpg`), { seed: i });
    const torn = await jpegWithMiddleCut({ seed: 9 });
    fs.writeFileSync(path.join(root, 'c0/torn.jpg'), torn);
    const dir = path.join(tmp, 'torn-project');
    const project = Project.openOrCreate(dir, root);
    expect(await importDataset(project)).toMatchObject({ added: 7, broken: 0 });
    project.close();
    const out = path.join(tmp, 'torn-out');
    const m = shiwakeJson(['export', '--project', dir, '--format', 'tfrecord', '--out', out]);
    expect(m.verified_now).toMatchObject({ images: 7, broken: [{ path: 'c0/torn.jpg', reason: expect.stringMatching(TORN_JPEG_REASON) }] });
    expect(m.left_out.broken).toBe(1);
    expect(m.splits.train.records + m.splits.validation.records).toBe(6);
    const shards = fs.readdirSync(out).filter((f) => /^(train|validation)-/.test(f));
    expect(Buffer.concat(shards.map((f) => fs.readFileSync(path.join(out, f)))).includes(torn.subarray(0, 2000))).toBe(false);
    const after = Project.open(dir);
    expect(after.items.broken()).toEqual([{ path: 'c0/torn.jpg', reason: expect.stringMatching(/^cannot be decoded/) }]);
    // decoded once, ever: the next export has nothing to check
    const again = await exportFolders(after, path.join(tmp, 'torn-folders'));
    after.close();
    expect(again.verified_now.images).toBe(0);
    expect(again.files).toBe(6);
  });
});

/** A small project made in-process, with every image already decoded (as after the thumbnail job). */
async function smallProject(name: string, count: number, categories: string[]): Promise<Project> {
  const root = path.join(tmp, name);
  for (let i = 0; i < count; i++) await writeImage(path.join(root, categories[i % categories.length]!, `${i}.jpg`), { seed: i, width: 16, height: 16 });
  const project = Project.openOrCreate(path.join(tmp, `${name}-project`), root);
  await importDataset(project);
  await verifyUndecoded(project);
  return project;
}

describe('bounded options and a free event loop', () => {
  it('refuses absurd numbers in the contract and the CLI, and more shards than records', async () => {
    expect(parseArgs('export.start', { format: 'tfrecord', out: '/x', trainShards: 1_000_000 }).ok).toBe(false);
    expect(parseArgs('export.start', { format: 'tfrecord', out: '/x', maxSide: 1e9 }).ok).toBe(false);
    expect(parseArgs('export.start', { format: 'tfrecord', out: '/x', seed: 2 ** 40 }).ok).toBe(false);
    expect(parseArgs('balance.preview', { maxPerCategory: 1e12 }).ok).toBe(false);
    expect(parseArgs('dataset.split', { seed: -1 }).ok).toBe(false);
    expect(parseArgs('export.start', { format: 'tfrecord', out: '/x', trainShards: LIMITS.shards, seed: 42 }).ok).toBe(true);

    const project = await smallProject('bounds', 6, ['a', 'b']);
    const out = path.join(tmp, 'bounds-out');
    const cli = shiwake(['export', '--project', project.dir, '--format', 'tfrecord', '--out', out, '--train-shards', '1000000']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/--train-shards must be a whole number from 1 to 10000/);
    await expect(exportTfrecord(project, { out, trainShards: 50 })).rejects.toThrow(/train shards must be a whole number from 1 to \d \(\d train records/);
    expect(fs.existsSync(out)).toBe(false);
    project.close();
  });

  it('lets the event loop turn while it writes (the studio serves other requests meanwhile)', async () => {
    const project = await smallProject('loop', 400, ['a', 'b', 'c']);
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      timer = setImmediate(tick);
    };
    let timer = setImmediate(tick);
    const exportTicks = async (run: () => Promise<unknown>): Promise<number> => {
      await new Promise((r) => setImmediate(r));
      const before = ticks;
      await run();
      return ticks - before;
    };
    // pass-through JPEGs resolve at once: without yields the whole export is one turn of the loop
    expect(await exportTicks(() => exportTfrecord(project, { out: path.join(tmp, 'loop-tf'), trainShards: 20 }))).toBeGreaterThan(4);
    expect(await exportTicks(() => exportFolders(project, path.join(tmp, 'loop-folders')))).toBeGreaterThan(4);
    clearImmediate(timer);
    project.close();
  });

  it('SIGTERM stops an export cleanly, like Ctrl+C: exit 130, no partial shard, and a re-run finishes', async () => {
    const project = await smallProject('term', 300, ['a', 'b']);
    project.close();
    const out = path.join(tmp, 'term-out');
    const args = ['export', '--project', path.join(tmp, 'term-project'), '--format', 'tfrecord', '--out', out, '--train-shards', '200', '--validation-shards', '1'];
    const child = spawnShiwake(args, { stdio: 'ignore' });
    const finals = (): string[] => (fs.existsSync(out) ? fs.readdirSync(out).filter((f) => /^(train|validation)-\d{5}-of-\d{5}$/.test(f)) : []);
    while (finals().length < 2 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(finals().length).toBeLessThan(201);
    expect(fs.readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(false);
    const m = shiwakeJson(args);
    expect(m.state).toBe('done');
    expect(finals()).toHaveLength(201);
  });
});

describe('export folders are confined and never someone else\'s', () => {
  it('exports the file a symbolic link leads to, keeps a category named ".." inside, and replaces its own earlier export wholly', async () => {
    const root = path.join(tmp, 'links');
    await writeImage(path.join(root, 'real/a.jpg'), { seed: 1 });
    await writeImage(path.join(root, 'real/b.jpg'), { seed: 2 });
    await writeImage(path.join(tmp, 'elsewhere/c.jpg'), { seed: 3 });
    fs.mkdirSync(path.join(root, 'linked'));
    fs.symlinkSync('../real/a.jpg', path.join(root, 'linked/rel.jpg'));
    fs.symlinkSync(path.join(tmp, 'elsewhere/c.jpg'), path.join(root, 'linked/abs.jpg'));
    const project = Project.openOrCreate(path.join(tmp, 'links-project'), root);
    await importDataset(project);
    moveItems(project, [project.items.findByPath('real/b.jpg')!.id], '..');
    moveItems(project, [project.items.findByPath('linked/abs.jpg')!.id], '.. > .. > x');
    await splitDataset(project, { validation: 0.01 });
    const out = path.join(tmp, 'links-out', 'tree');
    const r = await exportFolders(project, out);
    expect(r.files).toBe(4);
    expect(fs.readdirSync(path.join(tmp, 'links-out'))).toEqual(['tree']); // nothing written beside it
    const files = listFiles(out);
    expect(files).toEqual(['.shiwake-export.json', 'labels.txt', 'train/__/__/x/abs.jpg', 'train/__/b.jpg', 'train/linked/rel.jpg', 'train/real/a.jpg']);
    for (const f of files.filter((f) => f.endsWith('.jpg'))) expect(fs.lstatSync(path.join(out, f)).isSymbolicLink()).toBe(false);
    expect(fs.statSync(path.join(out, 'train/linked/rel.jpg')).ino).toBe(fs.statSync(path.join(root, 'real/a.jpg')).ino);

    // a relabel, then the same folder again: the item is in its new class only
    moveItems(project, [project.items.findByPath('real/a.jpg')!.id], 'Other');
    await exportFolders(project, out);
    expect(listFiles(out)).toContain('train/Other/a.jpg');
    expect(listFiles(out)).not.toContain('train/real/a.jpg');
    project.close();
  });

  it('refuses a folder holding files it did not write, for every format, and touches none of them', async () => {
    const project = await smallProject('foreign', 4, ['a']);
    const out = path.join(tmp, 'foreign-out');
    fs.mkdirSync(out);
    const theirs = { 'train-00000-of-00001': 'their shard', 'labels.txt': 'their labels\n', 'manifest.json': '{}', 'notes.md': 'mine' };
    for (const [f, text] of Object.entries(theirs)) fs.writeFileSync(path.join(out, f), text);
    await expect(exportTfrecord(project, { out })).rejects.toThrow(/the export folder .*foreign-out is not empty and was not written by Shiwake \(it holds /);
    await expect(exportFolders(project, out)).rejects.toThrow(/not written by Shiwake/);
    await expect(exportCsv(project, out)).rejects.toThrow(/not written by Shiwake/);
    for (const [f, text] of Object.entries(theirs)) expect(fs.readFileSync(path.join(out, f), 'utf8')).toBe(text);
    expect(fs.readdirSync(out).sort()).toEqual(Object.keys(theirs).sort());

    // its own earlier export is replaced, other files it finds there later are left alone
    const own = path.join(tmp, 'own-out');
    await exportTfrecord(project, { out: own, trainShards: 2 });
    fs.writeFileSync(path.join(own, 'README.md'), 'added by a person');
    const m = await exportTfrecord(project, { out: own, trainShards: 1 });
    expect(m.state).toBe('done');
    expect(fs.readdirSync(own).sort()).toEqual(['.shiwake-export.json', 'README.md', 'labels.txt', 'manifest.json', 'train-00000-of-00001', 'validation-00000-of-00001']);
    project.close();
  });
});

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { projectStats } from '../../src-main/engine/dataset/stats.js';
import { Project } from '../../src-main/engine/project.js';
import { MAX_CATEGORY_NAME_LENGTH } from '../../src-main/shared/categoryName.js';
import { parseArgs } from '../../src-main/shared/contract.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { bmpBytes, pngHeaderClaiming, writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

/** A dataset with nested and unicode categories, every format, and every kind of bad input. */
async function makeMessyDataset(root: string): Promise<void> {
  const good: [string, object][] = [
    ['Men/Shoes/Sneakers/a.jpg', { seed: 1 }],
    ['Men/Shoes/Sneakers/b "quoted" name.jpg', { seed: 2 }],
    ['Men/Shoes/Sandals/c.png', { format: 'png', seed: 3 }],
    ['Women/Shoes/Sneakers/d.webp', { format: 'webp', seed: 4 }],
    ['Women/Shoes/Sneakers/e.gif', { format: 'gif', seed: 5 }],
    ['Women/Bags/f.tiff', { format: 'tiff', seed: 6 }],
    ['Women/Bags/g.avif', { format: 'avif', seed: 7 }],
    ['ファッション/靴/スニーカー/写真 1.jpg', { seed: 8 }],
    ['Одежда/Обувь/фото.jpg', { seed: 9 }],
    ['Kids/photo with spaces.JPG', { seed: 10 }],
    ['Kids/png-named-as.jpg', { format: 'png', seed: 11 }],
    ['Kids/grey.jpg', { channels: 1, seed: 12 }],
  ];
  for (const [rel, spec] of good) await writeImage(path.join(root, rel), spec);
  fs.writeFileSync(path.join(root, 'Kids/bitmap.bmp'), bmpBytes(24, 16));
  const jpeg = fs.readFileSync(path.join(root, 'Men/Shoes/Sneakers/a.jpg'));
  fs.mkdirSync(path.join(root, 'Broken'), { recursive: true });
  fs.writeFileSync(path.join(root, 'Broken/empty.jpg'), '');
  fs.writeFileSync(path.join(root, 'Broken/truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  fs.writeFileSync(path.join(root, 'Broken/garbage.jpg'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 131) & 0xff)));
  fs.writeFileSync(path.join(root, 'Broken/actually-html.png'), '<html><body>404 Not Found</body></html>');
  fs.writeFileSync(path.join(root, 'Broken/bomb.png'), pngHeaderClaiming(100_000, 100_000));
  await writeImage(path.join(root, 'Broken/tiny.png'), { format: 'png', width: 2, height: 2 });
  fs.writeFileSync(path.join(root, 'Kids/readme.txt'), 'not a photo');
  fs.writeFileSync(path.join(root, 'Kids/.DS_Store'), 'junk');
  await writeImage(path.join(root, 'at-the-root.jpg'));
  fs.symlinkSync('..', path.join(root, 'Kids/loop'));
  fs.symlinkSync('/nonexistent/target.jpg', path.join(root, 'Kids/dangling.jpg'));
}

describe('import from a folder', () => {
  const root = path.join(tmp, 'messy');
  const projectDir = path.join(tmp, 'messy-project');
  let stats: ReturnType<typeof projectStats>;
  let summary: Awaited<ReturnType<typeof importDataset>>;

  beforeAll(async () => {
    await makeMessyDataset(root);
    const project = Project.openOrCreate(projectDir, root);
    summary = await importDataset(project);
    stats = projectStats(project);
    project.close();
  });

  it('keeps nested and unicode categories whole', () => {
    expect(stats.categories).toEqual(
      expect.arrayContaining([
        { name: 'Men > Shoes > Sneakers', count: 2 },
        { name: 'Men > Shoes > Sandals', count: 1 },
        { name: 'Women > Shoes > Sneakers', count: 2 },
        { name: 'Women > Bags', count: 2 },
        { name: 'ファッション > 靴 > スニーカー', count: 1 },
        { name: 'Одежда > Обувь', count: 1 },
        { name: 'Kids', count: 4 },
      ]),
    );
    expect(stats.active).toBe(13);
  });

  it('reads width, height and format by content for every format', () => {
    const project = Project.open(projectDir);
    const row = (p: string) => project.items.findByPath(p)!;
    expect(row('Women/Bags/f.tiff')).toMatchObject({ format: 'tiff', width: 40, height: 30, status: 'active' });
    expect(row('Women/Bags/g.avif')).toMatchObject({ format: 'avif', width: 40, height: 30 });
    expect(row('Kids/png-named-as.jpg')).toMatchObject({ format: 'png' });
    expect(row('Kids/bitmap.bmp')).toMatchObject({ format: 'bmp', width: 24, height: 16 });
    project.close();
  });

  it('turns each bad file into a broken item with a reason a person understands', () => {
    const reasons = Object.fromEntries(stats.broken_items.map((b) => [b.path, b.reason]));
    expect(reasons['Broken/empty.jpg']).toMatch(/empty file/);
    expect(reasons['Broken/truncated.jpg']).toMatch(/truncated or corrupt JPEG/);
    expect(reasons['Broken/garbage.jpg']).toMatch(/not an image/);
    expect(reasons['Broken/actually-html.png']).toMatch(/not an image.*HTML/);
    expect(reasons['Broken/bomb.png']).toMatch(/too large: 100000×100000.*decompression-bomb/);
    expect(reasons['Broken/tiny.png']).toMatch(/too small: 2×2/);
    expect(stats.broken).toBe(6);
  });

  it('lists what it skipped, with reasons, and ignores system files', () => {
    const issues = Object.fromEntries(summary.issues.map((i) => [i.path, i.reason]));
    expect(issues['Kids/readme.txt']).toMatch(/not an image.*text/);
    expect(issues['at-the-root.jpg']).toMatch(/outside any category folder/);
    expect(issues['Kids/loop']).toMatch(/symbolic link loop/);
    expect(issues['Kids/dangling.jpg']).toMatch(/broken symbolic link/);
    expect(summary.ignored).toBe(1);
  });

  it('records the import as a job and never writes into the dataset folder', () => {
    const project = Project.open(projectDir);
    expect(project.jobs.latest('import')).toMatchObject({ state: 'done' });
    expect(project.jobs.issues(summary.job).length).toBe(summary.issues.length);
    project.close();
    expect(fs.readdirSync(root).sort()).toEqual(['Broken', 'Kids', 'Men', 'Women', 'at-the-root.jpg', 'Одежда', 'ファッション'].sort());
  });

  it('refuses a project folder inside the dataset, or a project of another dataset', () => {
    expect(() => Project.openOrCreate(path.join(root, 'proj'), root)).toThrow(/inside the dataset folder/);
    fs.mkdirSync(path.join(tmp, 'other-dataset'), { recursive: true });
    expect(() => Project.openOrCreate(projectDir, path.join(tmp, 'other-dataset'))).toThrow(/was made from/);
  });
});

describe('re-import', () => {
  const root = path.join(tmp, 'reimport');
  const projectDir = path.join(tmp, 'reimport-project');

  it('adds new files, marks vanished ones missing, skips unchanged, re-probes changed, keeps relabels', async () => {
    for (let i = 0; i < 6; i++) await writeImage(path.join(root, i < 3 ? 'Cats' : 'Dogs', `${i}.jpg`), { seed: i });
    expect(shiwake(['import', root, '--project', projectDir]).code).toBe(0);
    expect(shiwake(['relabel', '--project', projectDir, '--to', 'Dogs', 'Cats/0.jpg']).code).toBe(0);

    fs.rmSync(path.join(root, 'Cats/1.jpg'));
    await writeImage(path.join(root, 'Dogs/new.jpg'), { seed: 40 });
    await writeImage(path.join(root, 'Dogs/3.jpg'), { seed: 41, width: 64, height: 64 });
    const future = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(root, 'Dogs/3.jpg'), future, future);
    fs.writeFileSync(path.join(root, 'Cats/0.jpg'), fs.readFileSync(path.join(root, 'Cats/0.jpg')).subarray(0, 100));

    const summary = shiwakeJson(['import', root, '--project', projectDir]);
    expect(summary).toMatchObject({ added: 1, updated: 2, unchanged: 3, missing: 1, broken: 1 });
    const stats = shiwakeJson(['stats', '--project', projectDir]);
    expect(stats).toMatchObject({ items: 7, active: 5, missing: 1, broken: 1 });
    expect(stats.categories).toEqual([
      { name: 'Cats', count: 1 },
      { name: 'Dogs', count: 4 },
    ]);
    const history = shiwakeJson(['history', '--project', projectDir, 'Cats/0.jpg']);
    expect(history).toMatchObject({ category: 'Dogs', originalCategory: 'Cats', status: 'broken' });

    // the missing file comes back: it is active again with its history kept
    await writeImage(path.join(root, 'Cats/1.jpg'), { seed: 1 });
    expect(shiwakeJson(['import', root, '--project', projectDir])).toMatchObject({ restored: 1, missing: 0, added: 0 });
    const back = shiwakeJson(['history', '--project', projectDir, 'Cats/1.jpg']);
    expect(back.status).toBe('active');
    expect(back.events.map((e: { to: string }) => e.to)).toEqual(['missing', 'active']);
  });
});

describe('import from a CSV manifest', () => {
  it('takes paths relative to the CSV or absolute, and reports bad rows', async () => {
    const root = path.join(tmp, 'manifest-data');
    await writeImage(path.join(root, 'imgs/1.jpg'), { seed: 1 });
    await writeImage(path.join(root, 'imgs/2.png'), { format: 'png', seed: 2 });
    await writeImage(path.join(root, 'imgs/3 with, comma.jpg'), { seed: 3 });
    const outside = path.join(tmp, 'outside.jpg');
    await writeImage(outside, { seed: 4 });
    const csv = path.join(root, 'labels.csv');
    fs.writeFileSync(
      csv,
      [
        'label,path,extra',
        'Men > Shoes,imgs/1.jpg,x',
        'T-shirt/top,imgs/2.png,',
        `Men > Shoes,"imgs/3 with, comma.jpg",`,
        `Bags,${outside},`,
        'Bags,imgs/missing.jpg,',
        ',imgs/1.jpg,',
        'Bags,imgs/1.jpg,',
      ].join('\n'),
    );
    const projectDir = path.join(tmp, 'manifest-project');
    const summary = shiwakeJson(['import', root, '--project', projectDir, '--manifest', csv]);
    expect(summary.added).toBe(4);
    const reasons = summary.issues.map((i: { reason: string }) => i.reason).join('\n');
    expect(reasons).toMatch(/not found/);
    expect(reasons).toMatch(/line 7: the label is empty/);
    expect(reasons).toMatch(/line 8: listed again \(first on line 2\)/);
    const stats = shiwakeJson(['stats', '--project', projectDir]);
    expect(stats.categories).toEqual([
      { name: 'Bags', count: 1 },
      { name: 'Men > Shoes', count: 2 },
      { name: 'T-shirt/top', count: 1 },
    ]);
  });

  it('skips labels that are not valid UTF-8 or longer than the API accepts, as folder names are', async () => {
    const root = path.join(tmp, 'manifest-utf8');
    for (let i = 1; i <= 4; i++) await writeImage(path.join(root, `${i}.jpg`), { seed: i });
    // a folder name that is not UTF-8 is skipped the same way
    const badFolder = Buffer.concat([Buffer.from(root + '/Bad'), Buffer.from([0xff]), Buffer.from('Folder')]);
    fs.mkdirSync(badFolder);
    fs.copyFileSync(path.join(root, '1.jpg'), Buffer.concat([badFolder, Buffer.from('/x.jpg')]));
    const csv = path.join(tmp, 'utf8.csv');
    fs.writeFileSync(
      csv,
      Buffer.concat([
        Buffer.from('path,label\nmanifest-utf8/1.jpg,Good\nmanifest-utf8/2.jpg,Bad'),
        Buffer.from([0xff]),
        Buffer.from(`Label\nmanifest-utf8/3.jpg,${'x'.repeat(MAX_CATEGORY_NAME_LENGTH + 1)}\nmanifest-utf8/4.jpg,${'y'.repeat(MAX_CATEGORY_NAME_LENGTH)}\n`),
      ]),
    );
    const project = Project.openOrCreate(path.join(tmp, 'manifest-utf8-project'), root);
    const summary = await importDataset(project, { manifest: csv });
    expect(summary.added).toBe(2);
    expect(summary.issues).toEqual([
      { path: 'manifest-utf8/2.jpg', reason: 'utf8.csv line 3: the label: the name is not valid UTF-8, so it cannot be read reliably; rename it' },
      { path: 'manifest-utf8/3.jpg', reason: `utf8.csv line 4: the label makes a category name of ${MAX_CATEGORY_NAME_LENGTH + 1} characters, over the limit of ${MAX_CATEGORY_NAME_LENGTH}` },
    ]);
    expect(project.categories.all().map((c) => c.name).sort()).toEqual(['Good', 'y'.repeat(MAX_CATEGORY_NAME_LENGTH)]);
    const folders = await importDataset(Project.openOrCreate(path.join(tmp, 'folder-utf8-project'), root));
    expect(folders.issues).toContainEqual({ path: 'Bad\uFFFDFolder', reason: 'the name is not valid UTF-8, so it cannot be read reliably; rename it' });
    // the API's own limit is the same number
    expect(parseArgs('labels.move', { selection: { ids: [1] }, category: 'x'.repeat(MAX_CATEGORY_NAME_LENGTH + 1) }).ok).toBe(false);
    expect(parseArgs('labels.move', { selection: { ids: [1] }, category: 'x'.repeat(MAX_CATEGORY_NAME_LENGTH) }).ok).toBe(true);
    project.close();
  });

  it('skips files whose folder path makes a category name longer than the API accepts', async () => {
    const root = path.join(tmp, 'deep-names');
    const deep = path.join(root, ...Array.from({ length: 5 }, (_, i) => `${i}`.repeat(220)));
    await writeImage(path.join(deep, 'a.jpg'));
    await writeImage(path.join(root, 'Short/b.jpg'));
    const project = Project.openOrCreate(path.join(tmp, 'deep-names-project'), root);
    const summary = await importDataset(project);
    project.close();
    expect(summary.added).toBe(1);
    expect(summary.issues).toEqual([{ path: expect.stringMatching(/a\.jpg$/), reason: expect.stringMatching(/its folder path makes a category name of 1112 characters, over the limit of 1000/) }]);
  });

  it('refuses a manifest without the header, naming the file', () => {
    const root = path.join(tmp, 'manifest-bad');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'm.csv'), 'a.jpg,Bags\n');
    const r = shiwake(['import', root, '--project', path.join(tmp, 'manifest-bad-project'), '--manifest', path.join(root, 'm.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/m\.csv: the first line must be a header with "path" and "label"/);
  });
});

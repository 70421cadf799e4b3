/**
 * Export benchmark, two datasets: N pass-through JPEGs (512x512, about 80 KB, 80 categories,
 * decoded once already, as after the thumbnail job) and N mixed images (90% JPEG, 10% PNG).
 * Each is exported as TFRecord with the default shards beside `cat` of the same files into one
 * synced file (the disk's limit), both in the engine (no process start) and as the whole CLI;
 * the mixed set also beside the @roboflow/tfrecords package writing the same records (the peer).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { exportTfrecord } from '../../src-main/engine/export/exportTfrecord.js';
import { Project } from '../../src-main/engine/project.js';
import { itemFile } from '../../src-main/engine/dataset/sources.js';
import { benchDir, fmt, median, REPO, row, runMeasured, timeIt } from './util.js';

async function makeImages(root: string, n: number): Promise<void> {
  fs.rmSync(root, { recursive: true, force: true });
  const jpegs = await Promise.all(
    Array.from({ length: 6 }, (_, k) => {
      const w = 320 + k * 16;
      const px = Buffer.alloc(w * 240 * 3);
      for (let i = 0; i < px.length; i++) px[i] = (i * (k + 3) + ((i / 960) | 0) * 7) & 0xff;
      return sharp(px, { raw: { width: w, height: 240, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
    }),
  );
  const png = await sharp({ create: { width: 256, height: 192, channels: 3, background: '#6a8' } }).png().toBuffer();
  const folders = 100;
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `cat-${String(i % folders).padStart(3, '0')}`);
    if (i < folders) fs.mkdirSync(dir, { recursive: true });
    const tag = Buffer.from(`bench ${i}`);
    if (i % 10 === 9) {
      // a tEXt chunk after IHDR makes each PNG unique
      const chunk = Buffer.alloc(12 + tag.length + 5);
      chunk.writeUInt32BE(tag.length + 5, 0);
      chunk.write('tEXt', 4, 'latin1');
      chunk.write('Note\0', 8, 'latin1');
      tag.copy(chunk, 13);
      fs.writeFileSync(path.join(dir, `${i}.png`), Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]));
    } else {
      const base = jpegs[i % jpegs.length]!;
      const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, tag.length + 2]), tag]);
      fs.writeFileSync(path.join(dir, `${i}.jpg`), Buffer.concat([base.subarray(0, 2), com, base.subarray(2)]));
    }
  }
  fs.writeFileSync(path.join(root, '.complete'), '');
}

/** 512x512 photos-like JPEGs of about 80 KB in 80 folders, each made unique by a comment segment. */
export async function makePhotos(root: string, n: number): Promise<void> {
  fs.rmSync(root, { recursive: true, force: true });
  const w = 512;
  const bases = await Promise.all(
    Array.from({ length: 8 }, (_, k) => {
      const px = Buffer.alloc(w * w * 3);
      let s = 12345 + k;
      for (let i = 0; i < px.length; i++) {
        s = (s * 1103515245 + 12345) >>> 0;
        const p = (i / 3) | 0;
        px[i] = (128 + 100 * Math.sin((p % w) / (19 + k) + (i % 3)) * Math.cos(((p / w) | 0) / 31) + ((s >>> 16) % 60) - 30) & 0xff;
      }
      return sharp(px, { raw: { width: w, height: w, channels: 3 } }).jpeg({ quality: 82 }).toBuffer();
    }),
  );
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `category-${String(i % 80).padStart(2, '0')}`);
    if (i < 80) fs.mkdirSync(dir, { recursive: true });
    const tag = Buffer.from(`photo ${i}`);
    const base = bases[i % bases.length]!;
    fs.writeFileSync(path.join(dir, `${i}.jpg`), Buffer.concat([base.subarray(0, 2), Buffer.from([0xff, 0xfe, 0, tag.length + 2]), tag, base.subarray(2)]));
  }
  fs.writeFileSync(path.join(root, '.complete'), '');
}

export async function benchExport(n: number, runs: number): Promise<void> {
  await benchCase('photos', n, runs);
  await benchCase('mixed', n, runs);
}

export async function benchCase(kind: 'photos' | 'mixed', n: number, runs: number): Promise<void> {
  const base = benchDir('export');
  const root = path.join(base, `${kind === 'photos' ? 'photos' : 'images'}-${n}`);
  if (!fs.existsSync(path.join(root, '.complete'))) await (kind === 'photos' ? makePhotos(root, n) : makeImages(root, n));
  const projectDir = path.join(base, `project-${kind}-${n}`);
  const cli = (...args: string[]): string => execFileSync(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (!fs.existsSync(path.join(projectDir, 'shiwake.db'))) {
    cli('import', root, '--project', projectDir, '--json');
    cli('split', '--project', projectDir, '--json');
  }
  const project = Project.open(projectDir);
  const items = project.db.prepare("SELECT path, width, height, size FROM items WHERE status = 'active' ORDER BY id").all() as { path: string; width: number; height: number; size: number }[];
  const files = items.map((i) => itemFile(project.datasetRoot, i.path));
  project.close();
  const bytes = items.reduce((s, i) => s + i.size, 0);
  const what = kind === 'photos' ? '512x512 JPEGs passed through, 80 categories' : '90% JPEG, 10% PNG';
  console.log(`\nexport: ${fmt(n)} images (${fmt(bytes / 2 ** 20, 0)} MiB; ${what}), default shards, median of ${runs} runs (warm cache), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  // The one strict decode per image (issue 9): what the first export pays when the studio's
  // thumbnail job has not decoded the images yet. Every timed run below finds them decoded.
  const undecoded = Project.open(projectDir);
  undecoded.db.prepare('UPDATE items SET decoded = 0').run();
  undecoded.close();
  const firstOut = path.join(base, 'tfrecord-first');
  fs.rmSync(firstOut, { recursive: true, force: true });
  const first = JSON.parse(cli('export', '--project', projectDir, '--format', 'tfrecord', '--out', firstOut, '--json')) as { verified_now: { images: number; seconds: number } };
  fs.rmSync(firstOut, { recursive: true, force: true });
  const verifyCost = first.verified_now;

  const catOut = path.join(base, 'cat.out');
  const listFile = path.join(base, 'files.txt');
  fs.writeFileSync(listFile, files.join('\0'));
  const catScript = (sync: boolean): string => `xargs -0 cat < '${listFile}' > '${catOut}'${sync ? ` && sync '${catOut}'` : ''}`;
  const catFile = (sync: boolean) => () => execFileSync('sh', ['-c', catScript(sync)]);
  catFile(false)(); // warm the page cache
  // CPU seconds (user + system, all threads) beside the wall clock: on a shared machine the
  // wall clock of a pipeline of threads suffers more from others' load than one cat does
  const cpu = { cat: [] as number[], engine: [] as number[] };
  const catCpu = (): void => {
    if (!fs.existsSync('/usr/bin/time')) return;
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S', 'sh', '-c', catScript(true)], { encoding: 'utf8' });
    const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    cpu.cat.push(u! + s!);
    fs.rmSync(catOut, { force: true });
  };
  const [catTimes, catNoSync, engine, ours, peers]: [number[], number[], number[], number[], number[]] = [[], [], [], [], []];
  let peak: number | undefined;
  for (let r = 0; r < runs; r++) {
    catTimes.push(await timeIt(catFile(true)));
    fs.rmSync(catOut, { force: true });
    catNoSync.push(await timeIt(catFile(false)));
    fs.rmSync(catOut, { force: true });
    catCpu();
    const out = path.join(base, 'tfrecord');
    fs.rmSync(out, { recursive: true, force: true });
    const project = Project.open(projectDir);
    const before = process.cpuUsage();
    engine.push(await timeIt(() => exportTfrecord(project, { out })));
    const used = process.cpuUsage(before);
    cpu.engine.push((used.user + used.system) / 1e6);
    project.close();
    fs.rmSync(out, { recursive: true, force: true });
    const m = runMeasured(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'export', '--project', projectDir, '--format', 'tfrecord', '--out', out, '--json']);
    ours.push(m.seconds);
    peak = m.peakMiB;
    fs.rmSync(out, { recursive: true, force: true });
    if (kind === 'mixed') {
      peers.push(await timeIt(() => peerExport(items, files, path.join(base, 'peer'))));
      fs.rmSync(path.join(base, 'peer'), { recursive: true, force: true });
    }
  }
  const [cat, inEngine, us] = [median(catTimes), median(engine), median(ours)];
  const mbs = (s: number): string => `${fmt(bytes / 2 ** 20 / s, 0)} MiB/s, ${fmt(n / s, 0)} images/s`;
  row('cat of the same files into one file, then sync', `${fmt(cat, 2)} s  (${mbs(cat)})`);
  row('the same cat without the sync', `${fmt(median(catNoSync), 2)} s  (${mbs(median(catNoSync))})`);
  row('exportTfrecord in the engine (no process start)', `${fmt(inEngine, 2)} s  (${mbs(inEngine)})`);
  row('shiwake export --format tfrecord (whole CLI)', `${fmt(us, 2)} s  (${mbs(us)})`);
  row('ratio engine export / cat+sync (throughput)', `${fmt(cat / inEngine, 2)}`);
  row('ratio CLI export / cat+sync (throughput)', `${fmt(cat / us, 2)}`);
  if (cpu.cat.length) {
    row('CPU seconds (user+sys): cat+sync, engine export', `${fmt(median(cpu.cat), 2)} s, ${fmt(median(cpu.engine), 2)} s`);
    row('ratio engine export / cat+sync (CPU time)', `${fmt(median(cpu.cat) / median(cpu.engine), 2)}`);
  }
  if (peers.length) {
    const peer = median(peers);
    row('@roboflow/tfrecords, same records, one thread', `${fmt(peer, 2)} s  (${mbs(peer)})`);
    row('ratio export / peer (throughput)', `${fmt(peer / us, 2)}`);
  }
  if (peak) row('export peak memory (RSS)', `${fmt(peak)} MiB`);
  row('first export: strict decode of undecoded images', `${fmt(verifyCost.seconds, 2)} s for ${fmt(verifyCost.images)} images (${fmt(verifyCost.images / Math.max(verifyCost.seconds, 1e-9), 0)} images/s; ${fmt(verifyCost.seconds / us, 2)}x a verified export)`);
  if (kind === 'mixed') console.log('  (the peer writes each file as it is: it re-encodes nothing, so its PNG records stay PNG)');
}

/** The peer: @roboflow/tfrecords building the same features, 1,024 records per file. */
async function peerExport(items: { path: string; width: number; height: number }[], files: string[], out: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const { TFRecordsBuilder, FeatureType } = require('@roboflow/tfrecords') as {
    TFRecordsBuilder: { new (): { addFeature(k: string, t: number, v: unknown): void; build(): unknown }; buildTFRecords(r: unknown[]): Buffer };
    FeatureType: Record<string, number>;
  };
  fs.mkdirSync(out, { recursive: true });
  let batch: unknown[] = [];
  let shard = 0;
  const flush = (): void => {
    fs.writeFileSync(path.join(out, `train-${shard++}`), TFRecordsBuilder.buildTFRecords(batch));
    batch = [];
  };
  for (let i = 0; i < files.length; i++) {
    const b = new TFRecordsBuilder();
    const item = items[i]!;
    b.addFeature('image/height', FeatureType.Int64!, item.height);
    b.addFeature('image/width', FeatureType.Int64!, item.width);
    b.addFeature('image/colorspace', FeatureType.String!, 'RGB');
    b.addFeature('image/channels', FeatureType.Int64!, 3);
    b.addFeature('image/class/label', FeatureType.Int64!, 1 + (i % 100));
    b.addFeature('image/class/text', FeatureType.String!, path.dirname(item.path));
    b.addFeature('image/format', FeatureType.String!, 'JPEG');
    b.addFeature('image/filename', FeatureType.String!, path.basename(item.path));
    b.addFeature('image/encoded', FeatureType.Binary!, fs.readFileSync(files[i]!));
    batch.push(b.build());
    if (batch.length === 1024) flush();
  }
  if (batch.length) flush();
}

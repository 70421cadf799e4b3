/**
 * Export benchmark: N generated images (90% JPEG, 10% PNG) exported as TFRecord with the
 * default shards, beside `cat` of the same files into one file (the disk's limit) and the
 * @roboflow/tfrecords package writing the same records (the peer), all in this run.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
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

export async function benchExport(n: number, runs: number): Promise<void> {
  const base = benchDir('export');
  const root = path.join(base, `images-${n}`);
  if (!fs.existsSync(path.join(root, '.complete'))) await makeImages(root, n);
  const projectDir = path.join(base, `project-${n}`);
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
  console.log(`\nexport: ${fmt(n)} images (${fmt(bytes / 2 ** 20, 0)} MiB; 90% JPEG, 10% PNG), default shards, median of ${runs} runs (warm cache)`);

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
  const catTimes: number[] = [];
  const ours: number[] = [];
  const peers: number[] = [];
  let peak: number | undefined;
  for (let r = 0; r < runs; r++) {
    catTimes.push(await timeIt(() => execFileSync('sh', ['-c', `xargs -0 cat < '${listFile}' > '${catOut}'`])));
    fs.rmSync(catOut, { force: true });
    const out = path.join(base, 'tfrecord');
    fs.rmSync(out, { recursive: true, force: true });
    const m = runMeasured(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'export', '--project', projectDir, '--format', 'tfrecord', '--out', out, '--json']);
    ours.push(m.seconds);
    peak = m.peakMiB;
    fs.rmSync(out, { recursive: true, force: true });
    peers.push(await timeIt(() => peerExport(items, files, path.join(base, 'peer'))));
    fs.rmSync(path.join(base, 'peer'), { recursive: true, force: true });
  }
  const [cat, us, peer] = [median(catTimes), median(ours), median(peers)];
  const mbs = (s: number): string => `${fmt(bytes / 2 ** 20 / s, 0)} MiB/s, ${fmt(n / s, 0)} images/s`;
  row('cat of the same files into one file', `${fmt(cat, 2)} s  (${mbs(cat)})`);
  row('shiwake export --format tfrecord (whole CLI)', `${fmt(us, 2)} s  (${mbs(us)})`);
  row('@roboflow/tfrecords, same records, one thread', `${fmt(peer, 2)} s  (${mbs(peer)})`);
  row('ratio export / cat (throughput)', `${fmt(cat / us, 2)}`);
  row('ratio export / peer (throughput)', `${fmt(peer / us, 2)}`);
  if (peak) row('export peak memory (RSS)', `${fmt(peak)} MiB`);
  row('first export: strict decode of undecoded images', `${fmt(verifyCost.seconds, 2)} s for ${fmt(verifyCost.images)} images (${fmt(verifyCost.images / Math.max(verifyCost.seconds, 1e-9), 0)} images/s; ${fmt(verifyCost.seconds / us, 2)}x a verified export)`);
  console.log('  (the peer writes each file as it is: it re-encodes nothing, so its PNG records stay PNG)');
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

/**
 * Import benchmark: N small JPEGs in ~1,000 category folders. Times `shiwake import` beside
 * `find -type f` and a plain read of each file's first 4 KiB (what any header reader must do).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { benchDir, fmt, median, REPO, row, runMeasured, timeIt } from './util.js';

export async function benchImport(n: number, runs: number): Promise<void> {
  const folders = Math.min(1000, Math.max(1, Math.round(n / 100)));
  const root = path.join(benchDir('import'), `jpegs-${n}`);
  if (!fs.existsSync(path.join(root, '.complete'))) await makeJpegs(root, n, folders);
  console.log(`\nimport: ${fmt(n)} JPEGs in ${fmt(folders)} folders, median of ${runs} runs (warm page cache)`);

  const files: string[] = execFileSync('find', [root, '-type', 'f', '-name', '*.jpg'], { maxBuffer: 1 << 30, encoding: 'utf8' }).trim().split('\n');
  const findTimes: number[] = [];
  const readTimes: number[] = [];
  const importTimes: number[] = [];
  const peaks: number[] = [];
  for (let r = 0; r < runs; r++) {
    findTimes.push(await timeIt(() => execFileSync('find', [root, '-type', 'f'], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] })));
    readTimes.push(await timeIt(() => readHeads(files)));
    const project = path.join(benchDir('import'), `project-${n}-${r}`);
    fs.rmSync(project, { recursive: true, force: true });
    const m = runMeasured(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'import', root, '--project', project, '--json']);
    importTimes.push(m.seconds);
    if (m.peakMiB !== undefined) peaks.push(m.peakMiB);
    fs.rmSync(project, { recursive: true, force: true });
  }
  const [find, read, imp] = [median(findTimes), median(readTimes), median(importTimes)];
  row('find -type f', `${fmt(find, 2)} s  (${fmt(n / find)} files/s)`);
  row('read first 4 KiB of each file (1 thread)', `${fmt(read, 2)} s  (${fmt(n / read)} files/s)`);
  row('shiwake import (new project, whole CLI)', `${fmt(imp, 2)} s  (${fmt(n / imp)} files/s)`);
  row('ratio import / read-headers', `${fmt(imp / read, 2)}x the time`);
  if (peaks.length) row('import peak memory (RSS)', `${fmt(median(peaks))} MiB`);
}

function readHeads(files: string[]): void {
  const buf = Buffer.allocUnsafe(4096);
  for (const f of files) {
    const fd = fs.openSync(f, 'r');
    fs.readSync(fd, buf, 0, 4096, 0);
    fs.closeSync(fd);
  }
}

async function makeJpegs(root: string, n: number, folders: number): Promise<void> {
  fs.rmSync(root, { recursive: true, force: true });
  const bases = await Promise.all(
    Array.from({ length: 8 }, (_, k) =>
      sharp({ create: { width: 64 + k * 8, height: 48 + k * 4, channels: 3, background: { r: 30 * k, g: 120, b: 200 - 20 * k } } })
        .jpeg({ quality: 80 })
        .toBuffer(),
    ),
  );
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `dept-${(i % folders) % 10}`, `cat-${String(i % folders).padStart(4, '0')}`);
    if (i < folders) fs.mkdirSync(dir, { recursive: true });
    const base = bases[i % bases.length]!;
    const comment = Buffer.from(`shiwake bench ${i}`);
    const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, comment.length + 2]), comment]);
    fs.writeFileSync(path.join(dir, `${i}.jpg`), Buffer.concat([base.subarray(0, 2), com, base.subarray(2)]));
  }
  fs.writeFileSync(path.join(root, '.complete'), '');
}

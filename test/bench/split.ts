/**
 * Split benchmark: N distinct JPEGs of about 5 KB in 1,000 folders, 64 different sizes (so
 * almost every file shares its size with others and must be hashed for exact duplicates, as in
 * real photo collections). Times `shiwake import` and `shiwake split` (whole CLI, new project),
 * then hashing alone in-process beside `cat` of the same files measured in the same run (both
 * after an untimed read of every file), and a second split, which finds every hash kept.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { hashDuplicateCandidates } from '../../src-main/engine/dataset/duplicates.js';
import { Project } from '../../src-main/engine/project.js';
import { jpegVariant } from '../fixtures/jpegVariants.js';
import { benchDir, fmt, REPO, row, runMeasured, timeIt } from './util.js';

const FOLDERS = 1000;
const SIZES = 64;

async function makeFiles(root: string, n: number): Promise<void> {
  fs.rmSync(root, { recursive: true, force: true });
  // noise compresses badly, so a 72x72 picture is a JPEG of about 5 KB; each base is one size
  const bases = await Promise.all(
    Array.from({ length: SIZES }, (_, k) => {
      const w = 68 + (k % 8);
      const h = 68 + (k >> 3);
      const pixels = Buffer.alloc(w * h * 3);
      let s = k + 1;
      for (let i = 0; i < pixels.length; i++) pixels[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
      return sharp(pixels, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    }),
  );
  for (let i = 0; i < n; i++) {
    const f = i % FOLDERS;
    const dir = path.join(root, `dept-${f % 10}`, `cat-${String(f).padStart(4, '0')}`);
    if (i < FOLDERS) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${i}.jpg`), jpegVariant(bases[i % SIZES]!, i));
  }
  fs.writeFileSync(path.join(root, '.complete'), '');
}

/** Runs the CLI under GNU time when there is one: wall seconds, CPU seconds (user + system, worker threads included), peak RSS. */
function cli(args: string[]): { seconds: number; cpu?: number; peakMiB?: number } {
  const argv = [path.join(REPO, 'bin/shiwake.mjs'), ...args];
  if (!fs.existsSync('/usr/bin/time')) return runMeasured(process.execPath, argv);
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...argv], { encoding: 'utf8', cwd: REPO, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`shiwake ${args.join(' ')} failed: ${r.stderr}`);
  const [user, sys, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds: (performance.now() - t) / 1000, cpu: user! + sys!, peakMiB: kb! / 1024 };
}
const cpuOf = (m: { cpu?: number }): string => (m.cpu === undefined ? '' : `, CPU ${fmt(m.cpu, 1)} s`);

export async function benchSplit(n: number): Promise<void> {
  const root = path.join(benchDir('split'), `jpegs-${n}`);
  if (!fs.existsSync(path.join(root, '.complete'))) {
    const t = await timeIt(() => makeFiles(root, n));
    console.log(`  (made ${fmt(n)} files in ${fmt(t, 1)} s)`);
  }
  const files = execFileSync('find', [root, '-type', 'f', '-name', '*.jpg'], { maxBuffer: 1 << 30, encoding: 'utf8' }).trim().split('\n');
  const bytes = files.slice(0, 1000).reduce((s, f) => s + fs.statSync(f).size, 0) / Math.min(1000, files.length);
  console.log(`\nsplit: ${fmt(n)} JPEGs of about ${fmt(bytes / 1024, 1)} KB, ${SIZES} sizes, ${FOLDERS} folders; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const project = path.join(benchDir('split'), `project-${n}`);
  fs.rmSync(project, { recursive: true, force: true });
  const imp = cli(['import', root, '--project', project, '--json']);
  row('shiwake import (new project)', `${fmt(imp.seconds, 1)} s  (${fmt(n / imp.seconds)} files/s${cpuOf(imp)})`);
  const split = cli(['split', '--project', project, '--json']);
  row('shiwake split (hashes every equal-size file)', `${fmt(split.seconds, 1)} s  (${split.peakMiB ? `RSS ${fmt(split.peakMiB)} MiB` : ''}${cpuOf(split)})`);
  const again = cli(['split', '--project', project, '--reset', '--json']);
  row('shiwake split --reset again (hashes kept)', `${fmt(again.seconds, 1)} s  (${cpuOf(again).slice(2)})`);

  // the reference: cat of the same files, in path order; both it and the hashing below read
  // after one untimed pass over every file, so neither pays for a cold page cache the other did not
  spawnSync('sh', ['-c', `cd '${root}' && find . -type f -name '*.jpg' -print0 | xargs -0 cat > /dev/null`], { stdio: 'ignore' });
  let catCpu = '';
  const cat = await timeIt(() => {
    const script = `cd '${root}' && find . -type f -name '*.jpg' -print0 | sort -z | xargs -0 cat > /dev/null`;
    const timed = fs.existsSync('/usr/bin/time');
    const r = spawnSync(timed ? '/usr/bin/time' : 'sh', [...(timed ? ['-f', '%U %S', 'sh'] : []), '-c', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cat of the files failed: ${r.stderr}`);
    if (timed) catCpu = `, CPU ${fmt(r.stderr.trim().split('\n').pop()!.split(' ').map(Number).reduce((a, b) => a + b), 1)} s`;
  });
  const p = Project.open(project);
  p.db.prepare('UPDATE items SET content_hash = NULL').run();
  const cpu = process.cpuUsage();
  let hashed = 0;
  const hash = await timeIt(async () => (hashed = await hashDuplicateCandidates(p)));
  const used = process.cpuUsage(cpu);
  p.close();
  row('cat of every file (xargs cat > /dev/null)', `${fmt(cat, 1)} s  (${fmt(files.length / cat)} files/s${catCpu})`);
  row('hashing alone (in-process)', `${fmt(hash, 1)} s  (${fmt(hashed / hash)} files/s, CPU ${fmt((used.user + used.system) / 1e6, 1)} s)`);
  row('hashing rate / cat rate', `${fmt(hashed / hash / (files.length / cat), 2)}x`);
  fs.rmSync(project, { recursive: true, force: true });
}

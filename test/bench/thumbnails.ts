/**
 * Thumbnail benchmark: the one strict decode + WebP thumbnail pass (`shiwake thumbnails`) over
 * N 512x512 JPEGs of about 80 KB, beside vipsthumbnail (Debian's libvips-tools) making
 * same-size WebP thumbnails of the same files with the same number of libvips threads, both in
 * this run. vipsthumbnail runs two ways: one process with VIPS_CONCURRENCY=T, and T processes
 * with one thread each (its faster figure is the reference).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyUndecoded } from '../../src-main/engine/dataset/verify.js';
import { itemFile } from '../../src-main/engine/dataset/sources.js';
import { THUMB_SIZE } from '../../src-main/engine/images/decode.js';
import { Project } from '../../src-main/engine/project.js';
import { makePhotos } from './export.js';
import { benchDir, fmt, median, REPO, row, runMeasured, timeIt } from './util.js';

function undo(projectDir: string): void {
  const p = Project.open(projectDir);
  p.db.prepare('UPDATE items SET decoded = 0').run();
  p.close();
  fs.rmSync(path.join(projectDir, 'thumbnails'), { recursive: true, force: true });
}

export async function benchThumbnails(n: number, runs: number): Promise<void> {
  if (spawnSync('vipsthumbnail', ['--help'], { stdio: 'ignore' }).error) {
    console.log('\nthumbnails: skipped: vipsthumbnail is not installed (Debian package libvips-tools)');
    return;
  }
  const base = benchDir('thumbnails');
  const root = path.join(base, `photos-${n}`);
  if (!fs.existsSync(path.join(root, '.complete'))) await makePhotos(root, n);
  const projectDir = path.join(base, `project-${n}`);
  const cli = (...args: string[]): string => execFileSync(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (!fs.existsSync(path.join(projectDir, 'shiwake.db'))) cli('import', root, '--project', projectDir, '--json');
  const project = Project.open(projectDir);
  const files = (project.db.prepare("SELECT path FROM items WHERE status = 'active' ORDER BY id").pluck().all() as string[]).map((p) => itemFile(project.datasetRoot, p));
  project.close();
  // the threads: our pass decodes max(2, cores) images at once, each on one libvips thread
  // (sharp.concurrency() is 1 with glibc's allocator), so T = that many
  const threads = Math.max(2, os.availableParallelism());
  console.log(`\nthumbnails: ${fmt(n)} JPEGs 512x512 -> ${THUMB_SIZE}px WebP, ${threads} libvips threads each side, median of ${runs} runs (warm cache), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const out = path.join(base, 'vips-out');
  const list = path.join(base, 'files.txt');
  fs.writeFileSync(list, files.join('\0'));
  const vips = (procs: number) => (): void => {
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out);
    const per = Math.ceil(files.length / procs);
    execFileSync('sh', ['-c', `xargs -0 -P ${procs} -n ${per} vipsthumbnail --size ${THUMB_SIZE} -o '${out}/%s.webp[Q=72,effort=2]' < '${list}'`], {
      env: { ...process.env, VIPS_CONCURRENCY: String(procs === 1 ? threads : 1) },
    });
  };
  const [oneProc, manyProcs, engine, whole, cpuEngine] = [[], [], [], [], []] as [number[], number[], number[], number[], number[]];
  for (let r = 0; r < runs; r++) {
    oneProc.push(await timeIt(vips(1)));
    manyProcs.push(await timeIt(vips(threads)));
    undo(projectDir);
    const p = Project.open(projectDir);
    const before = process.cpuUsage();
    engine.push(await timeIt(() => verifyUndecoded(p)));
    const used = process.cpuUsage(before);
    cpuEngine.push((used.user + used.system) / 1e6);
    p.close();
    undo(projectDir);
    whole.push(runMeasured(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'thumbnails', '--project', projectDir, '--json']).seconds);
  }
  const rate = (s: number): string => `${fmt(s, 2)} s  (${fmt(n / s, 0)} images/s)`;
  const reference = Math.min(median(oneProc), median(manyProcs));
  row(`vipsthumbnail, 1 process, VIPS_CONCURRENCY=${threads}`, rate(median(oneProc)));
  row(`vipsthumbnail, ${threads} processes, VIPS_CONCURRENCY=1`, rate(median(manyProcs)));
  row('strict decode + thumbnail pass in the engine', `${rate(median(engine))}, ${fmt(median(cpuEngine), 2)} s CPU`);
  row('shiwake thumbnails (whole CLI)', rate(median(whole)));
  row('ratio engine / faster vipsthumbnail (throughput)', fmt(reference / median(engine), 2));
  row('ratio CLI / faster vipsthumbnail (throughput)', fmt(reference / median(whole), 2));
  fs.rmSync(out, { recursive: true, force: true });
}

/** Shared helpers for benchmarks: timing, medians, a scratch folder, and printing. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');

export function benchDir(name: string): string {
  const dir = path.join(process.env.SHIWAKE_BENCH_DIR ?? path.join(os.tmpdir(), 'shiwake-bench'), name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export async function timeIt(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

/** Runs `fn` `runs` times and returns the median seconds. */
export async function medianSeconds(runs: number, fn: () => unknown | Promise<unknown>, before?: () => void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    times.push(await timeIt(fn));
  }
  return median(times);
}

/** Runs a command under GNU time and returns its peak resident memory in MiB (undefined without /usr/bin/time). */
export function runMeasured(cmd: string, args: string[]): { seconds: number; peakMiB?: number } {
  const t = performance.now();
  if (fs.existsSync('/usr/bin/time')) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', cwd: REPO });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    const kb = Number(r.stderr.trim().split('\n').pop());
    return { seconds: (performance.now() - t) / 1000, peakMiB: kb / 1024 };
  }
  execFileSync(cmd, args, { cwd: REPO, stdio: 'ignore' });
  return { seconds: (performance.now() - t) / 1000 };
}

export function row(label: string, value: string): void {
  console.log(`  ${label.padEnd(54)} ${value}`);
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

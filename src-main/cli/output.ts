/** How the CLI talks to people (stderr, progress lines) and to scripts (JSON on stdout). */
import type { Progress } from '../shared/types.js';

export class UsageError extends Error {}

/**
 * A reader that stops early (`shiwake stats | head -1`) closes our stdout: that ends the
 * command quietly with exit 0, as other Unix tools do, instead of an EPIPE stack trace. A
 * full disk behind a redirect is an error that says so.
 */
export function handleClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    const what = err.code === 'ENOSPC' ? 'no space left on the device' : err.message;
    process.stderr.write(`shiwake: error: ${what} writing standard output\n`);
    process.exit(1);
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function formatProgress(p: Progress, unit = 'files'): string {
  const count = p.total === null ? `${formatCount(p.done)} ${unit}` : `${formatCount(p.done)}/${formatCount(p.total)} ${unit}`;
  const pct = p.total ? ` ${((100 * p.done) / p.total).toFixed(0)}%` : '';
  const rate = p.rate > 0 ? `  ${formatCount(p.rate)}/s` : '';
  const eta = p.eta !== null ? `  ${formatDuration(p.eta)} left` : '';
  const problems = p.problems ? `  ${formatCount(p.problems)} problem${p.problems === 1 ? '' : 's'} so far` : '';
  return `${p.phase}: ${count}${pct}${rate}${eta}${problems}`;
}

/**
 * Progress on stderr: rewritten in place on a terminal, a line every few seconds otherwise
 * (so logs stay readable). Silent when `quiet` (for --json runs without a terminal).
 */
export function progressPrinter(unit = 'files', quiet = false): { update: (p: Progress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let lastPhase = '';
  let shown = false;
  return {
    update(p) {
      if (quiet && !tty) return;
      const now = performance.now();
      const phaseChanged = p.phase !== lastPhase;
      if (!phaseChanged && now - last < (tty ? 150 : 3000)) return;
      last = now;
      lastPhase = p.phase;
      const line = formatProgress(p, unit);
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else process.stderr.write(`${line}\n`);
      shown = true;
    },
    done() {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}

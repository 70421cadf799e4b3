/** Writing files so that a reader (or a crash) never sees half of one. */
import fs from 'node:fs';

/** Writes a file under a temporary name and renames it into place. */
export function writeAtomically(file: string, text: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Puts a finished folder `tmp` in the place of `dir`. */
export function replaceDir(tmp: string, dir: string): void {
  const old = `${dir}.old-${process.pid}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Whether a process is still running (a job or run left 'running' after a kill). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

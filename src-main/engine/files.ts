/** Writing files so that a reader (or a crash) never sees half of one. */
import fs from 'node:fs';

/**
 * Writes a file under a temporary name and renames it into place. A failed write (a full
 * disk) leaves no temporary file behind and names the file in its error.
 */
export function writeAtomically(file: string, text: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw withPath(err, file);
  }
}

/** A full-disk error that names the file (Node's says only "ENOSPC: no space left on device, write"). */
export function withPath(err: unknown, file: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return err;
  const what = code === 'ENOSPC' ? 'no space left on the device' : 'disk quota exceeded';
  return Object.assign(new Error(`${what} writing ${file}`), { code, path: file });
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

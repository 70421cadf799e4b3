/**
 * Who holds a project database's write lock, for the one-line error when a write still
 * cannot proceed after the busy timeout. In WAL mode SQLite's writer holds a POSIX lock on
 * byte 120 of the `-shm` file (WALINDEX_LOCK_OFFSET + WAL_WRITE_LOCK); on Linux
 * /proc/locks names the process, and /proc/<pid>/cmdline what it is running.
 */
import fs from 'node:fs';

const WAL_WRITE_LOCK_BYTE = 120;

export function describeLockHolder(dbFile: string): string {
  try {
    const inode = fs.statSync(`${dbFile}-shm`).ino;
    for (const line of fs.readFileSync('/proc/locks', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      // "1: POSIX  ADVISORY  WRITE 1234 fd:01:5678 120 120"; waiters are marked "->"
      if (f.length < 8 || f[1] === '->' || Number(f[5]!.split(':')[2]) !== inode) continue;
      const [start, end] = [Number(f[6]), f[7] === 'EOF' ? Infinity : Number(f[7])];
      if (start > WAL_WRITE_LOCK_BYTE || end < WAL_WRITE_LOCK_BYTE) continue;
      const pid = Number(f[4]);
      return `process ${pid}${pid === process.pid ? ' (this one)' : ''}${commandOf(pid)}`;
    }
  } catch {
    // no /proc (macOS, Windows) or no -shm file: fall through
  }
  return 'another process (a Shiwake command, the studio, or a long job such as an import)';
}

function commandOf(pid: number): string {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    // program and script paths by their file names; other arguments (an inline script) as they are
    const shown = args.map((a) => (/\s/.test(a) ? a : a.replace(/^.*[\\/](?=[^\\/]+$)/, ''))).join(' ');
    return shown ? ` running "${shown.length > 120 ? `${shown.slice(0, 117)}...` : shown}"` : '';
  } catch {
    return '';
  }
}

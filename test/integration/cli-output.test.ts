/**
 * The command line at the edges of its output: a reader that closes the pipe early, a full
 * disk behind a redirect or under an export folder.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src-main/engine/files.js';
import { REPO, shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const projectDir = path.join(tmp, 'project');
const bin = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(REPO, 'bin/shiwake.mjs'))}`;
/** A 1 MiB tmpfs filled to the last byte, where mounting is allowed (root); otherwise null and the test says why it skips. */
function fullDisk(): string | null {
  const dir = path.join(tmp, 'tiny');
  fs.mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.warn(`skipping the full-disk export test: cannot mount a small tmpfs (${(r.stderr || r.error?.message || '').trim()})`);
    return null;
  }
  afterAll(() => spawnSync('umount', [dir]));
  try {
    fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc(2 * 1024 * 1024));
  } catch {
    // ENOSPC: full, as wanted
  }
  return dir;
}
const full = fullDisk();

const sh = (script: string) => spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } });

beforeAll(async () => {
  for (let i = 0; i < 40; i++) await writeImage(path.join(tmp, 'data', `C${i}`, `${i}.jpg`), { seed: i, width: 16, height: 16 });
  shiwakeJson(['import', path.join(tmp, 'data'), '--project', projectDir]);
});

describe('CLI output', () => {
  it('ends quietly with exit 0 when the reader closes the pipe (stats | head -1)', () => {
    // `true` exits before shiwake writes, so every write meets a closed pipe
    const r = sh(`${bin} stats --project ${JSON.stringify(projectDir)} | true; echo "exit=\${PIPESTATUS[0]}"`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('exit=0\n');
    const head = sh(`${bin} stats --project ${JSON.stringify(projectDir)} | head -1; echo "exit=\${PIPESTATUS[0]}"`);
    expect(head.stderr).toBe('');
    expect(head.stdout).toMatch(/^[^\n]+\nexit=0\n$/);
  });

  it('says so in one line when stdout is on a full disk', () => {
    const r = sh(`${bin} stats --project ${JSON.stringify(projectDir)} --json > /dev/full; echo "exit=$?"`);
    expect(r.stderr).toBe('shiwake: error: no space left on the device writing standard output\n');
    expect(r.stdout).toBe('exit=1\n');
  });

  it('an atomic write that fails names the file and leaves no temporary file', () => {
    const dir = path.join(tmp, 'full');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'dataset.csv');
    fs.symlinkSync('/dev/full', `${file}.tmp-${process.pid}`); // every write to /dev/full fails with ENOSPC
    expect(() => writeAtomically(file, 'path,label,split\n')).toThrow(`no space left on the device writing ${file}`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it.runIf(full !== null)('a CSV export onto a full disk fails naming the file and leaves no temporary file', () => {
    const out = path.join(full!, 'export');
    const r = sh(`${bin} export --project ${JSON.stringify(projectDir)} --format csv --out ${JSON.stringify(out)}; echo "exit=$?"`);
    expect(r.stdout).toMatch(/exit=1\n$/);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^shiwake: error: no space left on the device writing ${out.replaceAll('/', '\\/')}\\/\\S+$`));
    expect(fs.existsSync(out) ? fs.readdirSync(out).filter((f) => f.includes('.tmp-')) : []).toEqual([]);
  });
});

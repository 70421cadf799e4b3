/** `.ci/run` is what CI runs: it must make a missing tool fail the tests, not skip them. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');

describe('.ci/run', () => {
  it('sets CI=true before it runs npm test, so requireSystem fails instead of skipping', () => {
    const script = fs.readFileSync(path.join(REPO, '.ci/run'), 'utf8');
    // run the script up to (not including) its first command that installs or tests, then print CI
    const lines = script.split('\n');
    const stop = lines.findIndex((l) => /^\s*(npm|if ! dpkg|\$SUDO)/.test(l));
    expect(stop).toBeGreaterThan(0);
    const prelude = [...lines.slice(0, stop), 'printf %s "${CI:-unset}"'].join('\n');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', prelude, path.join(REPO, '.ci/run')], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(r.stdout).toBe('true');
    expect(lines.slice(stop).some((l) => l.trim() === 'npm test')).toBe(true);
  });
});

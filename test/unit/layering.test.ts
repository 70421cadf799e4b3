/**
 * The layering rules of docs/architecture.md, checked by dependency-cruiser
 * (.dependency-cruiser.cjs): on the real tree (no violation), and on a small tree that breaks
 * every rule once (each is caught), so a rule that stopped matching would fail here too.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/tmp.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

function cruise(cwd: string): { code: number | null; violations: { rule: string; from: string; to: string }[]; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'src-main', 'src-renderer', '--config', path.join(REPO, '.dependency-cruiser.cjs'), '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out = r.stdout ? JSON.parse(r.stdout) : { summary: { violations: [] } };
  const violations = (out.summary.violations as { rule: { name: string }; from: string; to: string }[]).map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
  return { code: r.status, violations, stderr: r.stderr };
}

describe('layering', () => {
  it('holds in this tree', () => {
    const r = cruise(REPO);
    expect(r.violations.map((v) => `${v.rule}: ${v.from} -> ${v.to}`)).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('catches each kind of violation', () => {
    const tmp = tempDir();
    const write = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      fs.writeFileSync(path.join(tmp, rel), text);
    };
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(tmp, 'node_modules'));
    fs.copyFileSync(path.join(REPO, 'tsconfig.json'), path.join(tmp, 'tsconfig.json'));
    write('src-main/shared/a.ts', "import fs from 'node:fs';\nimport { x } from '../engine/b.js';\nexport const a = [fs, x];\n");
    write('src-main/engine/b.ts', "import { s } from '../server/s.js';\nimport sharp from 'sharp';\nimport * as tf from '@tensorflow/tfjs';\nimport Database from 'better-sqlite3';\nimport * as usearch from 'usearch';\nexport const x = [s, sharp, tf, Database, usearch];\n");
    write('src-main/engine/train/tf.ts', "import * as tf from '@tensorflow/tfjs';\nexport { tf };\n");
    write('src-main/engine/images/probe.ts', "import sharp from 'sharp';\nexport { sharp };\n");
    write('src-main/server/s.ts', 'export const s = 1;\n');
    write('src-renderer/r.ts', "import { x } from '../src-main/engine/b';\nimport { a } from '../src-main/shared/a';\nimport path from 'node:path';\nexport const r = [x, a, path];\n");
    const broken = new Set(cruise(tmp).violations.map((v) => `${v.rule}: ${v.from} -> ${v.to.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')}`));
    expect([...broken].sort()).toEqual(
      [
        'engine-not-up: src-main/engine/b.ts -> src-main/server/s.ts',
        'renderer-no-node-builtins: src-renderer/r.ts -> path',
        'renderer-only-shared: src-renderer/r.ts -> src-main/engine/b.ts',
        'sharp-only-in-images: src-main/engine/b.ts -> sharp',
        'shared-is-self-contained: src-main/shared/a.ts -> src-main/engine/b.ts',
        'shared-no-node-builtins: src-main/shared/a.ts -> fs',
        'sqlite-only-in-connection.ts: src-main/engine/b.ts -> better-sqlite3',
        'tfjs-only-in-tf.ts: src-main/engine/b.ts -> @tensorflow/tfjs',
        'usearch-only-in-annIndex.ts: src-main/engine/b.ts -> usearch',
      ].sort(),
    );
  });
});

/**
 * Things that must exist once: the "is this path inside that folder?" helper (a second copy
 * drifts: the old ones called a file named `..x` outside), and the code that builds the studio.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInside } from '../../src-main/engine/paths.js';

const REPO = path.resolve(import.meta.dirname, '../..');

function sources(dir: string, ext = /\.(ts|tsx|mjs)$/): string[] {
  return fs.readdirSync(path.join(REPO, dir), { recursive: true }).map(String).filter((f) => ext.test(f)).map((f) => path.join(dir, f));
}

describe('one path-inside helper', () => {
  it('answers for the folder itself, below it, beside it and above it', () => {
    expect(isInside('/data', '/data')).toBe(true);
    expect(isInside('/data/a/b.jpg', '/data')).toBe(true);
    expect(isInside('/data/..hidden.jpg', '/data')).toBe(true);
    expect(isInside('/data/a/../../etc/passwd', '/data')).toBe(false);
    expect(isInside('/database', '/data')).toBe(false);
    expect(isInside('/', '/data')).toBe(false);
  });

  it('is the only one in src-main', () => {
    const copies = sources('src-main')
      .filter((f) => f !== path.join('src-main', 'engine', 'paths.ts'))
      .filter((f) => /startsWith\(\s*['"`]\.\.|startsWith\(\s*path\.resolve\(|function\s+(isInside|isAncestor|inside)\b/.test(fs.readFileSync(path.join(REPO, f), 'utf8')));
    expect(copies).toEqual([]);
  });
});

describe('one place that builds the studio', () => {
  it('is bin/build.mjs: start, serve, the test setup and npm run build all call it', () => {
    const files = [...sources('bin'), ...sources('src-main'), ...sources('test'), ...sources('scripts')].filter((f) => f !== path.join('bin', 'build.mjs') && f !== path.join('test', 'unit', 'one-place.test.ts'));
    const builders = files.filter((f) => /electron-vite[/\\]bin|['"`]electron-vite['"`],\s*\[?\s*['"`]build/.test(fs.readFileSync(path.join(REPO, f), 'utf8')));
    expect(builders).toEqual([]);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    expect(pkg.scripts.build).toBe('node bin/build.mjs');
    for (const f of ['bin/start.mjs', 'src-main/cli/commands/serve.ts', 'test/globalSetup.ts']) expect(fs.readFileSync(path.join(REPO, f), 'utf8'), f).toMatch(/buildStudio\(\)/);
  });
});

#!/usr/bin/env node
// Runs a TypeScript file of this repository (scripts, benchmarks): node bin/run-ts.mjs <file.ts> [args...]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
process.env.UV_THREADPOOL_SIZE ??= '16';
const { register } = await import('tsx/esm/api');
register();
const file = process.argv[2];
if (!file) {
  console.error('usage: node bin/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
process.argv.splice(1, 2, path.resolve(file));
await import(pathToFileURL(path.resolve(file)).href);

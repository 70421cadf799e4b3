#!/usr/bin/env node
// The `shiwake` command: runs the TypeScript CLI through tsx, so it works straight after
// `npm install` with no build step.
process.env.UV_THREADPOOL_SIZE ??= '16'; // file probing is I/O bound: more threads than cores pays
const { register } = await import('tsx/esm/api');
register();
await import('../src-main/cli/main.ts');

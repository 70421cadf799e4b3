/**
 * The layers, checked in `npm test` (test/unit/layering.test.ts) so the rules in
 * docs/architecture.md cannot drift: imports only go down, and each heavy library has one
 * wrapper module.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-self-contained',
      comment: 'src-main/shared is imported by the renderer too: nothing of ours outside shared, no Node built-ins',
      severity: 'error',
      from: { path: '^src-main/shared/' },
      to: { pathNot: '^src-main/shared/|(^|/)node_modules/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'shared-no-node-builtins',
      severity: 'error',
      from: { path: '^src-main/shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'engine-not-up',
      comment: 'the engine is the app without a window: it never reaches the transports, the CLI, Electron or the renderer',
      severity: 'error',
      from: { path: '^src-main/engine/' },
      to: { path: '^src-main/(server|cli|preload)/|^src-main/index\\.ts$|^src-renderer/|(^|/)node_modules/electron/|^electron$' },
    },
    {
      name: 'tfjs-only-in-tf.ts',
      comment: 'one wrapper per heavy library: only engine/train/tf.ts imports TensorFlow.js',
      severity: 'error',
      from: { path: '^src-', pathNot: '^src-main/engine/train/tf\\.ts$' },
      to: { path: '(^|/)node_modules/@tensorflow/' },
    },
    {
      name: 'sharp-only-in-images',
      comment: 'one wrapper per heavy library: only engine/images/* imports sharp',
      severity: 'error',
      from: { path: '^src-', pathNot: '^src-main/engine/images/' },
      to: { path: '(^|/)node_modules/sharp/' },
    },
    {
      name: 'usearch-only-in-annIndex.ts',
      comment: 'one wrapper per heavy library: only engine/review/annIndex.ts imports usearch',
      severity: 'error',
      from: { path: '^src-', pathNot: '^src-main/engine/review/annIndex\\.ts$' },
      to: { path: '(^|/)node_modules/usearch/' },
    },
    {
      name: 'sqlite-only-in-connection.ts',
      comment: 'one wrapper per heavy library: only engine/db/connection.ts imports better-sqlite3',
      severity: 'error',
      from: { path: '^src-', pathNot: '^src-main/engine/db/connection\\.ts$' },
      to: { path: '(^|/)node_modules/better-sqlite3/' },
    },
    {
      name: 'renderer-only-shared',
      comment: 'the renderer talks to the engine through the contract only: of src-main it imports shared, and no Node built-ins',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/', pathNot: '^src-main/shared/' },
    },
    {
      name: 'renderer-no-node-builtins',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-unresolvable',
      comment: 'an import the checker cannot resolve would slip past every rule above',
      severity: 'error',
      from: { path: '^src-' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};

/** Types for bin/build.mjs, so the TypeScript side (serve, tests) calls the same build. */
export declare const REPO_ROOT: string;
export declare function buildStudio(): boolean;

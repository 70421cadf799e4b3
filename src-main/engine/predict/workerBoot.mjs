// Worker threads do not inherit tsx's module hooks on Node 20: register them, then load the
// TypeScript entry named in workerData. (Plain .mjs so Node can run it without a loader.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);

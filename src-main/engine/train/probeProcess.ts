/**
 * Entry point of the backend probe: loads the best TensorFlow.js backend here, in a short-lived
 * process, reports which one it got, and exits, so the process that asked (the studio's
 * engine) never loads TensorFlow.js nor holds GPU memory.
 */
import { initBackend } from './tf.js';

initBackend()
  .then((info) => process.send?.({ ok: true, info }))
  .catch((err: unknown) => process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) }))
  .finally(() => setTimeout(() => process.exit(0), 50)); // let the answer go; a backend may keep handles open

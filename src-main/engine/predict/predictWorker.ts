/**
 * A predictor worker thread: its own TensorFlow.js backend instance and copy of the model,
 * answering batches of files. Started by the pool in the predictor process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendName } from '../train/tf.js';
import { LoadedModel, type InputFile } from './inference.js';

const { dir, backend } = workerData as { dir: string; backend?: BackendName };
const port = parentPort!;

try {
  const model = await LoadedModel.load(dir, backend);
  port.on('message', (m: { id: number; files: InputFile[]; embed?: boolean }) => {
    model.predict(m.files, m.embed === true).then(
      (results) => port.postMessage({ type: 'result', id: m.id, results }),
      (err: Error) => port.postMessage({ type: 'result', id: m.id, results: m.files.map(() => ({ error: `the model failed: ${err.message}`, ms: 0 })) }),
    );
  });
  port.postMessage({ type: 'ready', backend: model.backend.name, label: model.backend.label, classes: model.classes, imageSize: model.folder.preprocessing.imageSize });
} catch (err) {
  port.postMessage({ type: 'failed', message: (err as Error).message });
}

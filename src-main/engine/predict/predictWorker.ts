/**
 * A predictor worker thread: its own TensorFlow.js backend instance and copy of the model,
 * answering batches of files. Started by the pool in the predictor process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendName } from '../train/tf.js';
import { BackboneModel } from './backboneModel.js';
import { LoadedModel, type InputFile } from './inference.js';

/** dir: a run's model folder, or with `backbone` a backbone's folder or URL */
const { dir, backend, backbone } = workerData as { dir: string; backend?: BackendName; backbone?: { imageSize?: number } };
const port = parentPort!;

try {
  const model = backbone ? await BackboneModel.load(dir, backbone.imageSize, backend) : await LoadedModel.load(dir, backend);
  port.on('message', (m: { id: number; files: InputFile[]; embed?: boolean }) => {
    model.predict(m.files, m.embed === true).then(
      (results) => port.postMessage({ type: 'result', id: m.id, results }),
      (err: Error) => port.postMessage({ type: 'result', id: m.id, results: m.files.map(() => ({ error: `the model failed: ${err.message}`, ms: 0 })) }),
    );
  });
  port.postMessage({ type: 'ready', backend: model.backend.name, label: model.backend.label, classes: model.classes, imageSize: model.imageSize });
} catch (err) {
  port.postMessage({ type: 'failed', message: (err as Error).message });
}

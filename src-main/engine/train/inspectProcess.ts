/**
 * Entry point of a backbone inspection: loads a TF.js layers model (folder or URL) on the
 * plain JavaScript CPU backend, in a short-lived process, and answers with its input size,
 * parameter count and feature width, so the studio's engine never loads TensorFlow.js.
 */
import type { BackboneInfo } from '../../shared/transfer.js';
import { backboneFeatures } from './models.js';
import { loadModel } from './modelIO.js';
import { initBackend } from './tf.js';

async function inspect(location: string): Promise<BackboneInfo> {
  await initBackend('cpu'); // reading shapes and counting weights needs no fast backend
  const model = await loadModel(location);
  const shape = model.inputs[0]!.shape;
  if (shape.length !== 4) throw new Error(`the backbone at ${location} does not take images (its input has shape [${shape.join(', ')}], not [batch, height, width, 3])`);
  const { cut, features } = backboneFeatures(model);
  return { location, name: model.name, inputSize: typeof shape[1] === 'number' ? shape[1] : null, parameters: model.countParams(), featureWidth: features.shape[1] as number, layers: cut + 1 };
}

process.once('message', (m: { location: string }) => {
  inspect(m.location)
    .then((info) => process.send?.({ ok: true, info }))
    .catch((err: unknown) => process.send?.({ ok: false, error: err instanceof Error ? err.message.split('\n')[0] : String(err) }))
    .finally(() => setTimeout(() => process.exit(0), 50)); // let the answer go
});

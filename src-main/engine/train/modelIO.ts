/**
 * Models in TensorFlow.js format (model.json + weights.bin) on disk or from a URL, without
 * tfjs-node: plain file reads and writes through tfjs's IO handler interface. Writes go to a
 * temporary folder that is renamed when complete, so a checkpoint is whole or absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { replaceDir } from '../files.js';
import { tf } from './tf.js';

function concatBuffers(parts: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  const list = Array.isArray(parts) ? parts : [parts];
  const total = list.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of list) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

function fileSaver(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    fs.mkdirSync(dir, { recursive: true });
    const weights = artifacts.weightData ? Buffer.from(concatBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[])) : Buffer.alloc(0);
    fs.writeFileSync(path.join(dir, 'weights.bin'), weights);
    const modelJson = {
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy,
      convertedBy: 'Shiwake',
      modelTopology: artifacts.modelTopology,
      trainingConfig: artifacts.trainingConfig,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
    };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
  });
}

function fileLoader(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const file = path.join(dir, 'model.json');
      let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; format?: string; generatedBy?: string; convertedBy?: string };
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        throw new Error(`cannot read a TensorFlow.js model from ${file}: ${(err as Error).message}`);
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest ?? []) {
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
        specs.push(...group.weights);
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
      };
    },
  };
}

/** Saves a model into `dir` (replacing it atomically), plus any JSON side files. */
export async function saveModel(model: tf.LayersModel, dir: string, sideFiles: Record<string, unknown> = {}): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await model.save(fileSaver(tmp));
  for (const [name, value] of Object.entries(sideFiles)) fs.writeFileSync(path.join(tmp, name), JSON.stringify(value, null, 2));
  replaceDir(tmp, dir);
}

/** Loads a layers model from a folder (with model.json) or an http(s) URL of a model.json. */
export async function loadModel(location: string): Promise<tf.LayersModel> {
  if (/^https?:\/\//.test(location)) return tf.loadLayersModel(location);
  const dir = location.endsWith('model.json') ? path.dirname(location) : location;
  return tf.loadLayersModel(fileLoader(dir));
}

/** Optimizer state (moments, iterations) as weight specs + bytes, for exact resume. */
export async function saveOptimizer(optimizer: tf.Optimizer, dir: string): Promise<void> {
  const weights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights.map((w) => ({ name: w.name, tensor: w.tensor })));
  fs.writeFileSync(path.join(dir, 'optimizer.bin'), Buffer.from(data as ArrayBuffer));
  fs.writeFileSync(path.join(dir, 'optimizer.json'), JSON.stringify(specs));
}

export async function loadOptimizer(optimizer: tf.Optimizer, dir: string): Promise<boolean> {
  const specFile = path.join(dir, 'optimizer.json');
  if (!fs.existsSync(specFile)) return false;
  const bytes = fs.readFileSync(path.join(dir, 'optimizer.bin'));
  const decoded = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), JSON.parse(fs.readFileSync(specFile, 'utf8')));
  await optimizer.setWeights(Object.entries(decoded).map(([name, tensor]) => ({ name, tensor })));
  return true;
}

/**
 * Turns Debian's dataset-fashion-mnist package (IDX files) into a folder dataset of PNGs,
 * one folder per class. '/' cannot be in a folder name, so "T-shirt/top" becomes "T-shirt-top".
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = ['T-shirt-top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export type Subset = 'train' | 'test';

export function fashionMnistInstalled(source = FASHION_MNIST_DIR): boolean {
  return fs.existsSync(path.join(source, 'train-images-idx3-ubyte.gz'));
}

function readIdx(file: string, magic: number): { dims: number[]; data: Buffer } {
  const raw = zlib.gunzipSync(fs.readFileSync(file));
  if (raw.readUInt32BE(0) !== magic) throw new Error(`${file}: not an IDX file of the expected kind (magic ${raw.readUInt32BE(0).toString(16)})`);
  const n = raw[3]!;
  const dims = Array.from({ length: n }, (_, i) => raw.readUInt32BE(4 + 4 * i));
  return { dims, data: raw.subarray(4 + 4 * n) };
}

export interface FashionMnistSet {
  subset: Subset;
  count: number;
  rows: number;
  cols: number;
  image(i: number): Buffer;
  label(i: number): number;
}

export function readFashionMnist(subset: Subset, source = FASHION_MNIST_DIR): FashionMnistSet {
  const prefix = subset === 'train' ? 'train' : 't10k';
  const images = readIdx(path.join(source, `${prefix}-images-idx3-ubyte.gz`), 0x803);
  const labels = readIdx(path.join(source, `${prefix}-labels-idx1-ubyte.gz`), 0x801);
  const [count, rows, cols] = images.dims as [number, number, number];
  return {
    subset,
    count,
    rows,
    cols,
    image: (i) => images.data.subarray(i * rows * cols, (i + 1) * rows * cols),
    label: (i) => labels.data[i]!,
  };
}

export interface WriteOptions {
  out: string;
  subsets?: Subset[];
  /** at most this many images per class and subset (for small samples and tests) */
  limitPerClass?: number;
  source?: string;
  onProgress?: (done: number, total: number) => void;
}

/** Writes <out>/<Class>/<subset>-<index>.png; returns how many files were written. */
export async function writeFashionMnistFolder(options: WriteOptions): Promise<number> {
  const { out, subsets = ['train', 'test'], limitPerClass = Infinity, source = FASHION_MNIST_DIR } = options;
  for (const name of FASHION_MNIST_CLASSES) fs.mkdirSync(path.join(out, name), { recursive: true });
  const jobs: { set: FashionMnistSet; i: number }[] = [];
  for (const subset of subsets) {
    const set = readFashionMnist(subset, source);
    const perClass = new Array(FASHION_MNIST_CLASSES.length).fill(0);
    for (let i = 0; i < set.count; i++) {
      const label = set.label(i);
      if (perClass[label] < limitPerClass) {
        perClass[label]++;
        jobs.push({ set, i });
      }
    }
  }
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const { set, i } = jobs[next++]!;
      const file = path.join(out, FASHION_MNIST_CLASSES[set.label(i)]!, `${set.subset}-${String(i).padStart(5, '0')}.png`);
      await sharp(set.image(i), { raw: { width: set.cols, height: set.rows, channels: 1 } }).png().toFile(file);
      if (++done % 1000 === 0) options.onProgress?.(done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return done;
}

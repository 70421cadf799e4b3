/** npm run fashion-mnist -- --out <dir> [--subset train|test|all] [--limit-per-class N] [--source <dir>] */
import { parseArgs } from 'node:util';
import { FASHION_MNIST_DIR, fashionMnistInstalled, writeFashionMnistFolder, type Subset } from './fashion-mnist.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    subset: { type: 'string', default: 'all' },
    'limit-per-class': { type: 'string' },
    source: { type: 'string', default: FASHION_MNIST_DIR },
  },
});
if (!values.out) {
  console.error('usage: npm run fashion-mnist -- --out <dir> [--subset train|test|all] [--limit-per-class N] [--source <dir>]');
  process.exit(2);
}
if (!fashionMnistInstalled(values.source)) {
  console.error(`Fashion-MNIST is not in ${values.source}: install it with "apt-get install dataset-fashion-mnist"`);
  process.exit(1);
}
const subsets: Subset[] = values.subset === 'all' ? ['train', 'test'] : [values.subset as Subset];
const limit = values['limit-per-class'] ? Number(values['limit-per-class']) : undefined;
const started = performance.now();
const written = await writeFashionMnistFolder({
  out: values.out,
  subsets,
  limitPerClass: limit,
  source: values.source,
  onProgress: (done, total) => process.stderr.write(`\rwriting PNGs: ${done}/${total}`),
});
process.stderr.write('\n');
console.log(`wrote ${written} PNGs to ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

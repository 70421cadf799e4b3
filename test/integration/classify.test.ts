/**
 * Classify and evaluate with a real trained run: a tiny small CNN learns five solid colours
 * (two levels of the tree), then the CLI classifies files (JSON lines, errors on their own
 * lines, folders in sorted order), the studio's engine classifies uploads, evaluates, leads
 * from a confused pair to its items, and follows a relabel.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Studio } from '../../src-main/engine/studio/studio.js';
import { LoadedModel } from '../../src-main/engine/predict/inference.js';
import { decodeForClassification } from '../../src-main/engine/images/classifyInput.js';
import { centralCrop } from '../../src-main/engine/images/modelInput.js';
import { loadModel } from '../../src-main/engine/train/modelIO.js';
import { tf } from '../../src-main/engine/train/tf.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { noisySolid } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
const COLOURS: Record<string, [number, number, number]> = {
  'Warm/Red': [220, 30, 30], 'Warm/Yellow': [230, 220, 40], 'Cool/Blue': [30, 40, 220], 'Cool/Green': [40, 200, 60], Grey: [128, 128, 128],
};

async function solid(file: string, rgb: [number, number, number], seed: number, format: 'png' | 'jpeg' = 'png'): Promise<void> {
  fs.writeFileSync(file, await noisySolid(rgb, seed, { format }));
}

let run: string;

beforeAll(async () => {
  for (const [folder, rgb] of Object.entries(COLOURS)) {
    fs.mkdirSync(path.join(root, folder), { recursive: true });
    for (let i = 0; i < 12; i++) await solid(path.join(root, folder, `${String(i).padStart(2, '0')}.png`), rgb, i);
  }
  shiwakeJson(['import', root, '--project', projectDir]);
  shiwakeJson(['split', '--project', projectDir, '--validation', '0.25']);
  const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '8', '--epochs', '4', '--batch-size', '8', '--learning-rate', '0.01', '--seed', '1', '--json']);
  expect(r.code, r.stderr).toBe(0);
  run = JSON.parse(r.stdout.trim().split('\n').at(-1)!).run;
});

const lines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l));

describe('shiwake classify', () => {
  it('puts an obvious image first, with probabilities that are sorted and sum to 1 over every category', async () => {
    const red = path.join(tmp, 'red.jpg');
    await solid(red, COLOURS['Warm/Red']!, 99, 'jpeg');
    const r = shiwake(['classify', '--project', projectDir, '--top', '50', '--json', red]);
    expect(r.code, r.stderr).toBe(0);
    const [line] = lines(r.stdout);
    expect(Object.keys(line)).toEqual(['file', 'top']);
    expect(line.file).toBe(red);
    expect(line.top).toHaveLength(5); // --top 50 asks for more than the 5 categories there are: all of them
    expect(line.top[0].category).toBe('Warm > Red');
    for (const t of line.top) {
      expect(Object.keys(t)).toEqual(['category', 'probability']);
      expect(t.probability).toBeGreaterThanOrEqual(0);
    }
    const probs = line.top.map((t: { probability: number }) => t.probability);
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
    expect(probs.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('gives a corrupt file and a text file named .jpg their own error lines, classifies the rest, and exits 1', async () => {
    const dir = path.join(tmp, 'mixed');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    await solid(path.join(dir, 'b-blue.png'), COLOURS['Cool/Blue']!, 5);
    await solid(path.join(dir, 'sub', 'a-green.png'), COLOURS['Cool/Green']!, 6);
    fs.writeFileSync(path.join(dir, 'a-text.jpg'), 'this is not an image\n');
    const good = fs.readFileSync(path.join(dir, 'b-blue.png'));
    fs.writeFileSync(path.join(dir, 'c-corrupt.png'), Buffer.concat([good.subarray(0, 60), Buffer.alloc(200, 7)]));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored inside a folder');
    const r = shiwake(['classify', '--project', projectDir, '--json', dir]);
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    // the folder is expanded recursively in sorted order, image extensions only
    expect(out.map((l) => path.relative(dir, l.file))).toEqual(['a-text.jpg', 'b-blue.png', 'c-corrupt.png', path.join('sub', 'a-green.png')]);
    expect(out[0]).toEqual({ file: path.join(dir, 'a-text.jpg'), error: expect.stringMatching(/not an image/) });
    expect(out[2]).toEqual({ file: path.join(dir, 'c-corrupt.png'), error: expect.stringMatching(/corrupt PNG/) });
    expect(out[1].top[0].category).toBe('Cool > Blue');
    expect(out[3].top[0].category).toBe('Cool > Green');
  });

  it('refuses a run that does not exist, and a project without a finished run, in one line', () => {
    const r = shiwake(['classify', '--project', projectDir, '--run', 'nope', path.join(root, 'Grey', '00.png')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no run "nope"/);
    const empty = path.join(tmp, 'empty-project');
    shiwakeJson(['import', path.join(root, 'Grey'), '--project', empty]);
    const e = shiwake(['classify', '--project', empty, path.join(root, 'Grey', '00.png')]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/no finished training run.*shiwake train/);
  });

  it('the loaded model gives the full softmax vector, summing to 1', async () => {
    const model = await LoadedModel.load(path.join(projectDir, 'runs', run, 'model'), 'wasm');
    const [scored] = await model.predict([{ file: path.join(root, 'Grey', '00.png'), format: null }]);
    expect('probs' in scored!).toBe(true);
    const probs = (scored as { probs: Float32Array }).probs;
    expect(probs).toHaveLength(5);
    expect([...probs].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('averages each image with its mirror image where preprocessing.json says so (a model trained with flips)', async () => {
    const trained = path.join(projectDir, 'runs', run, 'model');
    const dir = path.join(tmp, 'flip-average-model');
    fs.cpSync(trained, dir, { recursive: true });
    const pre = JSON.parse(fs.readFileSync(path.join(dir, 'preprocessing.json'), 'utf8'));
    expect(pre.flipAverage).toBe(false); // the small CNN's default recipe does not flip
    fs.writeFileSync(path.join(dir, 'preprocessing.json'), JSON.stringify({ ...pre, flipAverage: true }));
    const model = await LoadedModel.load(dir, 'wasm');
    const file = path.join(root, 'Warm', 'Red', '03.png');
    const [scored] = await model.predict([{ file, format: null }]);
    const { imageSize, evalCrop } = model.folder.preprocessing;
    const rgb = await decodeForClassification(file, null, imageSize, centralCrop(evalCrop));
    const plain = await loadModel(dir);
    const expected = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(rgb, (v) => v / 127.5 - 1), [1, imageSize, imageSize, 3]);
      const p = (input: tf.Tensor4D) => tf.softmax(plain.predict(input) as tf.Tensor2D);
      return tf.mul(tf.add(p(x), p(tf.reverse(x, 2))), 0.5).dataSync();
    });
    const probs = (scored as { probs: Float32Array }).probs;
    probs.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('exports the model with labels.txt numbered like the TFRecord export and a README', () => {
    const out = path.join(tmp, 'model-export');
    const r = shiwakeJson<{ out: string; files: string[] }>(['export-model', '--project', projectDir, '--out', out]);
    expect(r.files).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'labels.txt', 'preprocessing.json', 'README.md']));
    expect(fs.readFileSync(path.join(out, 'labels.txt'), 'utf8')).toBe('Cool > Blue\nCool > Green\nGrey\nWarm > Red\nWarm > Yellow\n');
    expect(fs.readFileSync(path.join(out, 'README.md'), 'utf8')).toMatch(/softmax/);
  });
});

describe('evaluation in the studio engine', () => {
  it('classifies an upload, evaluates, leads from a confused pair to exactly its items, and follows a relabel', async () => {
    const events: { event: string; payload: any }[] = [];
    const studio = new Studio({ mode: 'browser', version: 'test' }, (event, payload) => events.push({ event, payload }));
    await studio.openProject(projectDir);
    try {
      const call = async (method: string, args: unknown): Promise<any> => {
        const r = await studio.handle(method as never, args);
        if (!r.ok) throw new Error(r.error);
        return r.value;
      };
      const file = path.join(tmp, 'upload.png');
      await solid(file, COLOURS['Warm/Yellow']!, 42);
      const answer = await call('classify.files', { uploads: [{ name: 'yellow.png', data: fs.readFileSync(file).toString('base64') }] });
      expect(answer.run.run).toBe(run);
      expect(answer.results[0].file).toBe('yellow.png');
      expect(answer.results[0].top[0].category).toBe('Warm > Yellow');
      expect(answer.results[0].top).toHaveLength(5);

      // make one grey item "mislabelled" as Red, so the model disagrees with its label
      const tree: { id: number; name: string }[] = await call('categories.tree', {});
      const id = (name: string) => tree.find((c) => c.name === name)!.id;
      const greys = await call('items.page', { filter: { categoryId: id('Grey') }, offset: 0, limit: 3 });
      await call('labels.move', { selection: { ids: [greys[0].id, greys[1].id] }, category: 'Warm > Red' });

      const { job } = await call('evaluate.start', { run, filter: {} });
      await waitFor(() => events.some((e) => e.event === 'onJobDone' && e.payload.id === job));
      const report = await call('evaluate.report', { run, filter: {} });
      expect(report.items).toBe(60);
      expect(report.predicted).toBe(60);
      const pair = report.pairs[0];
      expect(pair).toMatchObject({ labelled: { name: 'Warm > Red' }, predicted: { name: 'Grey' }, count: 2 });
      expect(pair.share).toBeCloseTo(2 / 14);
      // figures equal a count by hand: 58 of 60 right; Red has 14 items of which 12 right; Grey recall 10/10, precision 10/12
      expect(report.top1).toBeCloseTo(58 / 60);
      const red = report.categories.find((c: { name: string }) => c.name === 'Warm > Red');
      expect(red).toMatchObject({ support: 14, predicted: 12, precision: 1 });
      expect(red.recall).toBeCloseTo(12 / 14);
      const grey = report.categories.find((c: { name: string }) => c.name === 'Grey');
      expect(grey).toMatchObject({ support: 10, predicted: 12, recall: 1 });
      expect(grey.precision).toBeCloseTo(10 / 12);
      // rolled up: Warm -> Grey
      const rolled = await call('evaluate.report', { run, filter: {}, level: 1 });
      expect(rolled.pairs[0]).toMatchObject({ labelled: { name: 'Warm' }, predicted: { name: 'Grey' }, count: 2 });

      // the pair's items: exactly the two moved ones, most confident disagreement first, with the prediction shown
      const filter = { categoryId: pair.labelled.id, prediction: { run, predicted: pair.predicted.id }, sort: 'disagreement' };
      const items = await call('items.page', { filter, offset: 0, limit: 100 });
      expect(items.map((i: { id: number }) => i.id).sort()).toEqual([greys[0].id, greys[1].id].sort());
      // scored against the label they had when evaluated (already Red): not stale
      expect(items[0].predicted).toMatchObject({ category: 'Grey', stale: false });
      expect(items[0].predicted.probability).toBeGreaterThanOrEqual(items[1].predicted.probability);
      expect(await call('items.count', { filter })).toBe(2);
      const misclassified = await call('items.count', { filter: { prediction: { run, misclassified: true } } });
      expect(misclassified).toBe(2);

      // fixing one from the grid drops the pair's count by one
      await call('labels.move', { selection: { ids: [items[0].id] }, category: 'Grey' });
      const after = await call('evaluate.report', { run, filter: {} });
      expect(after.pairs[0]).toMatchObject({ labelled: { name: 'Warm > Red' }, predicted: { name: 'Grey' }, count: 1 });
      expect(after.stale).toBe(1);

      const matrix = await call('evaluate.matrix', { run, filter: {}, categoryId: id('Warm') });
      expect(matrix.categories.map((c: { name: string }) => c.name)).toEqual(['Warm > Red', 'Warm > Yellow', '(other)']);
      expect(matrix.counts).toEqual([[12, 0, 1], [0, 12, 0]]);
    } finally {
      await studio.closeProject();
    }
  });
});

async function waitFor(check: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

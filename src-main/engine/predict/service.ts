/**
 * What the studio and the CLI ask of a trained run: classify files or items, bring stored
 * predictions up to date, and the evaluation figures. Keeps one predictor warm (the last
 * run used) and closes it when idle, on close, or when another run is asked for.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CategoryScore, ClassifyAnswer, ClassifyResult, ConfusionMatrix, EvaluationReport } from '../../shared/predict.js';
import { itemFile } from '../dataset/sources.js';
import { isInside } from '../paths.js';
import type { Project } from '../project.js';
import type { BackendName } from '../train/tf.js';
import { evaluateItems, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
import { LabelMap, rollUp } from './labelMap.js';
import { recordBackbone, type BackboneSource } from './backbone.js';
import { readModelFolder, resolveRun, runBrief, runModelDir, type ModelFolder } from './modelFolder.js';
import { Predictor, type PredictorOptions } from './predictor.js';
import { effectiveLevel } from '../train/levels.js';
import { confusionMatrix, figures } from './report.js';

const IDLE_MS = 10 * 60 * 1000;

interface Warm {
  /** the run, or a backbone's pseudo-run with the image size asked for */
  key: string;
  /** null for a backbone: it has no labels or preprocessing files */
  folder: ModelFolder | null;
  predictor: Promise<Predictor>;
}

export class PredictionService {
  private warm: Warm | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: PredictorOptions & { backend?: BackendName } = {}) {}

  /** The run `run` names, or the latest finished one (an error says what to do when there is none). */
  resolve(project: Project, run?: string): string {
    return resolveRun(project, run).id;
  }

  /** The predictor for `run` (the latest finished run when absent), started once and kept warm. */
  async open(project: Project, run?: string): Promise<{ run: string; folder: ModelFolder; predictor: Predictor }> {
    const row = resolveRun(project, run);
    const dir = runModelDir(project, row.id);
    const warm = await this.warmFor(row.id, () => ({ folder: readModelFolder(dir), predictor: Predictor.open(dir, this.options) }));
    return { run: row.id, folder: warm.folder!, predictor: await warm.predictor };
  }

  /**
   * Embeds items with a pretrained backbone, incrementally as evaluate does (no predictions:
   * it has no classifier of ours). Its pseudo-run is recorded once the model has loaded.
   */
  async embedBackbone(project: Project, source: BackboneSource, imageSize: number | undefined, itemIds: readonly number[], options: EvaluateOptions = {}): Promise<EvaluateResult & { run: string }> {
    const warm = await this.warmFor(`${source.run}|${imageSize ?? ''}`, () => ({ folder: null, predictor: Predictor.open(source.location, { ...this.options, backbone: { imageSize } }) }));
    const predictor = await warm.predictor;
    recordBackbone(project, source, predictor.imageSize);
    const result = await evaluateItems(project, source.run, [], predictor, itemIds, { ...options, embed: true });
    return { ...result, run: source.run };
  }

  /** The warm predictor of `key`, or a new one from `start` (closing the one before). */
  private async warmFor(key: string, start: () => Omit<Warm, 'key'>): Promise<Warm> {
    if (!this.warm || this.warm.key !== key || !(await this.alive(this.warm))) {
      this.close();
      const warm = { key, ...start() };
      this.warm = warm;
      warm.predictor.catch(() => {
        if (this.warm === warm) this.warm = null;
      });
    }
    this.touch();
    return this.warm!;
  }

  private async alive(w: Warm): Promise<boolean> {
    try {
      return (await w.predictor).alive;
    } catch {
      return false;
    }
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(), IDLE_MS);
    this.idleTimer.unref();
  }

  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const w = this.warm;
    this.warm = null;
    void w?.predictor.then((p) => p.close(), () => undefined);
  }

  /** Classifies files by path; a file inside the dataset folder is matched to its item. */
  async classifyFiles(project: Project, files: readonly { file: string; shown?: string }[], options: { run?: string; top?: number } = {}): Promise<ClassifyAnswer> {
    const started = performance.now();
    const { run, folder, predictor } = await this.open(project, options.run);
    const map = new LabelMap(project, folder.labels, folder.level);
    const top = Math.min(options.top ?? 5, folder.labels.length);
    const root = project.datasetRoot;
    const answers = await predictor.predict(files.map((f) => ({ file: f.file, format: null })), top);
    const results = answers.map((a, i): ClassifyResult => {
      const { file, shown } = files[i]!;
      const item = datasetItem(project, root, file, map);
      if ('error' in a) return { file: shown ?? file, error: a.error, ms: a.ms, item };
      const scores = a.top.map(([index, probability]): CategoryScore => ({ category: folder.labels[index]!, categoryId: map.idOfName.get(folder.labels[index]!) ?? null, probability }));
      return { file: shown ?? file, top: scores, ms: a.ms, item };
    });
    return { run: runBrief(project.runs.get(run)!, folder.labels.length), results, ms: performance.now() - started };
  }

  async classifyItems(project: Project, itemIds: readonly number[], options: { run?: string; top?: number } = {}): Promise<ClassifyAnswer> {
    const root = project.datasetRoot;
    const files = itemIds.map((id) => {
      const item = project.items.get(id);
      if (!item) throw new Error(`no item with id ${id}`);
      return { file: itemFile(root, item.path), shown: item.path };
    });
    return this.classifyFiles(project, files, options);
  }

  async evaluate(project: Project, run: string | undefined, itemIds: readonly number[], options: EvaluateOptions = {}): Promise<EvaluateResult & { run: string }> {
    const opened = await this.open(project, run);
    const result = await evaluateItems(project, opened.run, opened.folder.labels, opened.predictor, itemIds, { ...options, level: opened.folder.level });
    return { ...result, run: opened.run };
  }
}

function datasetItem(project: Project, root: string, file: string, map: LabelMap): ClassifyResult['item'] {
  if (!isInside(file, root)) return null;
  const relative = path.relative(root, path.resolve(file));
  const item = project.items.findByPath(relative.split(path.sep).join('/'));
  if (!item) return null;
  return { id: item.id, label: rollUp(map.nameOf(item.category_id), map.level), status: item.status };
}

/** The model's labels for a run, without starting a predictor. */
export function runLabels(project: Project, run: string): string[] {
  return readModelFolder(runModelDir(project, run)).labels;
}

export function evaluationReport(project: Project, run: string, itemIds: readonly number[], options: { level?: number; pairs?: number; filterKey?: string } = {}): EvaluationReport {
  const row = resolveRun(project, run);
  const folder = readModelFolder(runModelDir(project, row.id));
  const map = new LabelMap(project, folder.labels, folder.level);
  const rows = project.predictions.forItems(row.id, itemIds);
  // a run trained at a level is judged at that level or above: a leaf never equals a rolled-up guess
  const level = effectiveLevel(options.level, folder.level);
  const f = figures(rows, map, level, options.pairs ?? 200);
  return {
    run: runBrief(row, folder.labels.length),
    items: itemIds.length,
    level,
    evaluatedAt: options.filterKey !== undefined ? project.predictions.lastEvaluated(row.id, options.filterKey) : null,
    ...f,
  };
}

/** A matrix over chosen categories, or over the categories (at `level`) of a subtree. */
export function evaluationMatrix(project: Project, run: string, itemIds: readonly number[], choice: { categories?: number[]; subtree?: number; level?: number }): ConfusionMatrix {
  const row = resolveRun(project, run);
  const folder = readModelFolder(runModelDir(project, row.id));
  const map = new LabelMap(project, folder.labels, folder.level);
  const rows = project.predictions.forItems(row.id, itemIds);
  const level = effectiveLevel(choice.level, folder.level);
  let chosen: string[];
  if (choice.categories) chosen = [...new Set(choice.categories.map((id) => rollUp(map.nameOf(id), level)))];
  else {
    const prefix = choice.subtree !== undefined ? map.nameOf(choice.subtree) : null;
    const inside = (name: string): boolean => prefix === null || name === prefix || name.startsWith(`${prefix} > `);
    chosen = [...new Set(rows.map((r) => rollUp(map.nameOf(r.category_id), level)).filter(inside))].sort();
  }
  if (chosen.length > 40) throw new Error(`that makes a matrix of ${chosen.length} categories: choose a smaller subtree, at most 40 categories, or a higher level`);
  return confusionMatrix(rows, map, chosen, level);
}

/** Writes a run's model as a self-contained folder: TF.js model, labels.txt, preprocessing, README. */
export function exportModel(project: Project, run: string | undefined, out: string): { out: string; files: string[] } {
  const row = resolveRun(project, run);
  const folder = readModelFolder(runModelDir(project, row.id));
  const target = path.resolve(out);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0 && !fs.existsSync(path.join(target, 'model.json'))) {
    throw new Error(`${target} is not empty: choose an empty folder (or one an earlier model export wrote)`);
  }
  fs.mkdirSync(target, { recursive: true });
  const files: string[] = [];
  const copy = (name: string): void => {
    fs.copyFileSync(path.join(folder.dir, name), path.join(target, name));
    files.push(name);
  };
  const modelJson = JSON.parse(fs.readFileSync(path.join(folder.dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  copy('model.json');
  for (const group of modelJson.weightsManifest) group.paths.forEach(copy);
  for (const side of ['labels.json', 'preprocessing.json', 'training.json']) if (fs.existsSync(path.join(folder.dir, side))) copy(side);
  // numbered like the TFRecord export: line k is label k (from 1); output i of the model is label i + 1
  fs.writeFileSync(path.join(target, 'labels.txt'), `${folder.labels.join('\n')}\n`);
  files.push('labels.txt');
  fs.writeFileSync(path.join(target, 'README.md'), modelReadme(row.id, row.model, folder));
  files.push('README.md');
  return { out: target, files };
}

function modelReadme(run: string, model: string, folder: ModelFolder): string {
  const { imageSize, evalCrop, flipAverage } = folder.preprocessing;
  return `# ${model} from Shiwake run ${run}

A TensorFlow.js layers model (\`model.json\` + weights) that classifies an image into one of
${folder.labels.length} categories. \`labels.txt\` names them: line k is label k (from 1, as in the
TFRecord export), and output i of the model is label i + 1. \`labels.json\` is the same list from 0.

## Preprocessing (exactly as in training's evaluation)

1. Decode the image as RGB (EXIF orientation applied; grey, CMYK and alpha become RGB).
2. Crop the central ${(evalCrop * 100).toFixed(1)}% of each side.
3. Resize to ${imageSize} x ${imageSize} pixels (stretching, no padding).
4. Scale each value to [-1, 1]: x / 127.5 - 1. Input shape [batch, ${imageSize}, ${imageSize}, 3], NHWC.

The model's output is **logits**: apply softmax to get probabilities.${flipAverage ? `

Shiwake's figures for this model average each image's probabilities with those of its mirror
image (the same input flipped left to right, \`tf.reverse(input, 2)\`), as
\`preprocessing.json\` says (\`"flipAverage": true\`); one pass alone ranks slightly worse.` : ''}

## Loading it

\`\`\`js
import * as tf from '@tensorflow/tfjs';            // or @tensorflow/tfjs-node with file://
const model = await tf.loadLayersModel('file://./model.json');   // a URL in the browser
const probs = tf.softmax(model.predict(input));     // input: [n, ${imageSize}, ${imageSize}, 3] in [-1, 1]
\`\`\`
`;
}

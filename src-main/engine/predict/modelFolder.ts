/**
 * A finished run's saved model as the predictor needs it: the folder with model.json, its
 * labels (index i = output i) and the evaluation preprocessing it was trained with.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunRow } from '../db/repos/runs.js';
import type { Project } from '../project.js';
import type { RunBrief } from '../../shared/predict.js';
import { isBackboneRun, notAClassifier } from './backbone.js';

export interface Preprocessing {
  imageSize: number;
  /** the central crop's share of each side at evaluation (0.875 in the reference) */
  evalCrop: number;
  /** average each image's probabilities with its mirror image's (a model trained on mirrored images; absent in older folders: false) */
  flipAverage: boolean;
}

export interface ModelFolder {
  dir: string;
  labels: string[];
  preprocessing: Preprocessing;
  /** the tree level the run was trained at (training.json); null: the leaves */
  level: number | null;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${what} (${file}): ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message}`);
  }
}

export function readModelFolder(dir: string): ModelFolder {
  if (!fs.existsSync(path.join(dir, 'model.json'))) throw new Error(`${dir} holds no saved model (model.json is missing)`);
  const labels = readJson(path.join(dir, 'labels.json'), 'the model\'s labels');
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string')) throw new Error(`${path.join(dir, 'labels.json')} is not a list of at least 2 category names`);
  const pre = readJson(path.join(dir, 'preprocessing.json'), 'the model\'s preprocessing') as Partial<Preprocessing>;
  if (typeof pre.imageSize !== 'number' || pre.imageSize < 1) throw new Error(`${path.join(dir, 'preprocessing.json')} has no imageSize`);
  const evalCrop = typeof pre.evalCrop === 'number' && pre.evalCrop > 0 && pre.evalCrop <= 1 ? pre.evalCrop : 0.875;
  return { dir, labels: labels as string[], preprocessing: { imageSize: pre.imageSize, evalCrop, flipAverage: pre.flipAverage === true }, level: trainedLevel(dir) };
}

/** The tree level a saved model was trained at (its training.json); null: the leaves, or no training.json. */
export function trainedLevel(dir: string): number | null {
  const file = path.join(dir, 'training.json');
  if (!fs.existsSync(file)) return null; // a model from elsewhere: its labels are what they are
  const level = (readJson(file, 'the model\'s training options') as { level?: unknown }).level;
  return typeof level === 'number' && Number.isInteger(level) && level >= 1 ? level : null;
}

export function runModelDir(project: Project, run: string): string {
  return path.join(project.dir, 'runs', run, 'model');
}

/**
 * The run to classify with: the one named, or the latest finished one. A run that has not
 * finished, or a project without a finished run, is an error that says what to do.
 */
export function resolveRun(project: Project, run?: string): RunRow {
  if (run) {
    const row = project.runs.get(run);
    if (!row) throw new Error(`there is no run "${run}" in this project (shiwake runs lists them)`);
    if (isBackboneRun(row)) throw notAClassifier(run);
    if (row.state !== 'done') throw new Error(`run ${run} has not finished (it is ${row.state}): ${row.state === 'running' ? 'wait for it to finish' : `resume it with "shiwake train --project ${project.dir} --resume ${run}"`}, or choose a finished run`);
    if (!fs.existsSync(path.join(runModelDir(project, run), 'model.json'))) throw new Error(`run ${run} has no saved model in ${runModelDir(project, run)}`);
    return row;
  }
  const done = project.runs.all().filter((r) => r.state === 'done' && !isBackboneRun(r) && fs.existsSync(path.join(runModelDir(project, r.id), 'model.json')));
  if (done.length === 0) throw new Error(`this project has no finished training run to classify with: train one first ("shiwake train --project ${project.dir} --model small-cnn")`);
  return done[0]!;
}

export function runBrief(row: RunRow, classes: number): RunBrief {
  return { run: row.id, model: row.model, createdAt: row.created_at, top1: row.top1, classes };
}

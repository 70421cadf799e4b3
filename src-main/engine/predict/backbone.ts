/**
 * A pretrained backbone as a source of the review's embeddings: where it is, the id of its
 * pseudo-run, and that pseudo-run kept apart from trained runs. The pseudo-run is a row of
 * `runs` (model 'backbone', state 'done') only so that its embeddings have a run to belong to.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RunRow } from '../db/repos/runs.js';
import type { Project } from '../project.js';

export const BACKBONE_MODEL = 'backbone';

export interface BackboneSource {
  /** an absolute folder holding model.json, or an http(s) URL of a model.json */
  location: string;
  /** backbone-<first 8 hex of sha256 of the location>: the same backbone, the same pseudo-run */
  run: string;
  /** the folder's name or the URL */
  name: string;
}

/** What the pseudo-run stores: where the backbone is and the image size its embeddings were made at. */
export interface BackboneOptions {
  location: string;
  imageSize: number;
}

export const isBackboneRun = (row: Pick<RunRow, 'model'>): boolean => row.model === BACKBONE_MODEL;

export function notAClassifier(run: string): Error {
  return new Error(`${run} holds a backbone's embeddings for review, not a trained classifier`);
}

/** Runs a person trained: every row but the backbones' pseudo-runs. */
export function trainedRuns(project: Project): RunRow[] {
  return project.runs.all().filter((r) => !isBackboneRun(r));
}

/** A folder (or its model.json) or an http(s) URL of model.json; an error naming what is wrong with it. */
export function backboneSource(input: string): BackboneSource {
  const given = input.trim();
  if (given === '') throw new Error('the backbone is empty: give a folder with model.json or an http(s) URL of one');
  let location: string;
  let name: string;
  if (/^https?:\/\//i.test(given)) {
    try {
      new URL(given);
    } catch {
      throw new Error(`${given} is not a valid URL`);
    }
    location = given;
    name = given;
  } else {
    const resolved = path.resolve(given);
    location = path.basename(resolved) === 'model.json' ? path.dirname(resolved) : resolved;
    if (!fs.existsSync(location)) throw new Error(`${location}: no such folder (the backbone must be a folder with model.json or an http(s) URL)`);
    if (!fs.existsSync(path.join(location, 'model.json'))) throw new Error(`${location} holds no TensorFlow.js model (model.json is missing)`);
    name = path.basename(location);
  }
  return { location, run: `backbone-${createHash('sha256').update(location).digest('hex').slice(0, 8)}`, name };
}

/** The source of an existing pseudo-run, from its stored options. */
export function storedBackbone(row: RunRow): BackboneSource & { imageSize: number } {
  const options = JSON.parse(row.options) as BackboneOptions;
  return { location: options.location, run: row.id, name: row.name ?? options.location, imageSize: options.imageSize };
}

/**
 * Records the pseudo-run once the backbone has loaded (so a model that does not load leaves no
 * row). Embeddings made at another image size are dropped: they would not be comparable.
 */
export function recordBackbone(project: Project, source: BackboneSource, imageSize: number): void {
  project.db.transaction(() => {
    const row = project.runs.get(source.run);
    if (row && !isBackboneRun(row)) throw new Error(`run ${source.run} already exists and is not a backbone`);
    if (row && storedBackbone(row).imageSize !== imageSize) project.review.dropEmbeddings(source.run);
    const options: BackboneOptions = { location: source.location, imageSize };
    project.runs.recordBackbone(source.run, source.name, `holds the embeddings of the pretrained backbone ${source.location} for review and duplicates; not a trained classifier`, options);
  })();
}

/**
 * The studio's own small state outside any project: where projects made from "open a
 * dataset folder" live, and the recent-projects list. SHIWAKE_HOME moves it (tests do).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectInfo } from '../../shared/contract.js';
import { writeAtomically } from '../files.js';

export function shiwakeHome(): string {
  return process.env.SHIWAKE_HOME ?? path.join(os.homedir(), '.shiwake');
}

/** The default project folder for a dataset: stable per dataset path. */
export function defaultProjectDir(datasetRoot: string): string {
  const abs = path.resolve(datasetRoot);
  const hash = crypto.createHash('sha256').update(abs).digest('hex').slice(0, 8);
  const name = path.basename(abs).replace(/[^\p{L}\p{N}._-]+/gu, '_') || 'dataset';
  return path.join(shiwakeHome(), 'projects', `${name}-${hash}`);
}

/**
 * A project folder the user chose, as an absolute path (`~` is the home folder): refused when it
 * is a file, or a folder that holds other things and is not a Shiwake project, since Shiwake
 * would fill it with its database, thumbnails and runs.
 */
export function checkProjectFolder(dir: string, datasetRoot: string): string {
  const abs = path.resolve(dir.trim().replace(/^~(?=$|[\\/])/, os.homedir()));
  const stat = fs.statSync(abs, { throwIfNoEntry: false });
  if (!stat) return abs;
  if (!stat.isDirectory()) throw new Error(`${abs} is a file, not a folder: choose a folder for the project`);
  if (fs.existsSync(path.join(abs, 'shiwake.db'))) return abs; // an existing project: it says itself whether it belongs to this dataset
  if (path.resolve(datasetRoot) !== abs && fs.readdirSync(abs).length > 0) {
    throw new Error(`${abs} is not empty and not a Shiwake project: choose an empty or new folder (Shiwake keeps its database, thumbnails and runs there)`);
  }
  return abs;
}

const recentFile = (): string => path.join(shiwakeHome(), 'recent.json');

export function readRecent(): ProjectInfo[] {
  try {
    const list = JSON.parse(fs.readFileSync(recentFile(), 'utf8')) as ProjectInfo[];
    return list.filter((p) => fs.existsSync(path.join(p.dir, 'shiwake.db')));
  } catch {
    return [];
  }
}

export function rememberRecent(info: ProjectInfo): void {
  const list = [info, ...readRecent().filter((p) => p.dir !== info.dir)].slice(0, 12);
  fs.mkdirSync(shiwakeHome(), { recursive: true });
  writeAtomically(recentFile(), JSON.stringify(list, null, 2));
}

/** The bundled sample dataset (a few hundred Fashion-MNIST images). */
export function sampleDatasetDir(): string {
  return path.resolve(import.meta.dirname, '../../../resources/sample-fashion-mnist');
}

/** A grid page's rows with the filter's run's prediction as a category name and probability. */
import type { GridItem } from '../../shared/contract.js';
import type { PageRow } from '../db/repos/browse.js';
import type { Project } from '../project.js';
import { LabelMap } from './labelMap.js';
import { readModelFolder, runModelDir } from './modelFolder.js';

export function withPredictions(project: Project, rows: PageRow[], run: string | undefined): GridItem[] {
  if (run === undefined) return rows;
  let map: LabelMap | null = null;
  try {
    const folder = readModelFolder(runModelDir(project, run));
    map = new LabelMap(project, folder.labels, folder.level);
  } catch {
    map = null; // the run's model is gone: show the items without predictions
  }
  return rows.map(({ predTop1, predProb, predLabel, ...item }) => ({
    ...item,
    predicted: predTop1 === null || predTop1 === undefined || map === null ? null : { category: map.describe(predTop1).name, probability: predProb ?? 0, stale: predLabel !== item.categoryId },
  }));
}

/**
 * Exports for tools that want plain files: a folder tree (split/category path/file, hard
 * links where the file system allows, else copies) and a CSV manifest (path,label,split) that
 * `shiwake import --manifest` reads back.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Progress } from '../../shared/types.js';
import { splitCategoryName } from '../../shared/categoryName.js';
import { csvField } from '../dataset/csv.js';
import { itemFile } from '../dataset/sources.js';
import { verifyUndecoded } from '../dataset/verify.js';
import type { VerifiedNow } from './exportTfrecord.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import { selectForExport, splitUnsplitItems } from '../dataset/selection.js';
import { writeAtomically } from '../files.js';

export interface FilesExportResult {
  format: 'folders' | 'csv';
  out: string;
  files: number;
  linked: number;
  copied: number;
  labels: string[];
  splits: { train: number; validation: number };
  /** see TfrecordManifest.verified_now: a folder or CSV export passes every file through */
  verified_now: VerifiedNow;
}

const safe = (part: string): string => part.replace(/[\\/:*?"<>|\0]/g, '_');

export async function exportFolders(project: Project, out: string, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<FilesExportResult> {
  const verified = await verifyUndecoded(project, { signal, onProgress });
  await splitUnsplitItems(project, signal);
  const selection = selectForExport(project);
  const root = project.datasetRoot;
  const result: FilesExportResult = {
    format: 'folders', out, files: 0, linked: 0, copied: 0, labels: selection.labels, splits: { train: 0, validation: 0 },
    verified_now: { images: verified.decoded, broken: verified.broken, seconds: verified.seconds },
  };
  const all = [...selection.records.train, ...selection.records.validation];
  const meter = new ProgressMeter('linking files', all.length);
  const used = new Set<string>();
  for (const r of all) {
    if (signal?.aborted) break;
    const dir = path.join(out, r.split, ...splitCategoryName(r.text).map(safe));
    const base = path.posix.basename(r.path);
    let target = path.join(dir, base);
    for (let n = 1; used.has(target); n++) target = path.join(dir, `${path.parse(base).name}-${n}${path.extname(base)}`);
    used.add(target);
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(target, { force: true });
    try {
      fs.linkSync(itemFile(root, r.path), target);
      result.linked++;
    } catch {
      fs.copyFileSync(itemFile(root, r.path), target);
      result.copied++;
    }
    result.files++;
    result.splits[r.split]++;
    if (result.files % 256 === 0) onProgress?.(meter.update(result.files));
  }
  writeAtomically(path.join(out, 'labels.txt'), selection.labels.map((l) => `${l}\n`).join(''));
  return result;
}

export async function exportCsv(project: Project, out: string, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<FilesExportResult> {
  const verified = await verifyUndecoded(project, { signal, onProgress });
  await splitUnsplitItems(project, signal);
  const selection = selectForExport(project);
  const root = project.datasetRoot;
  const lines = ['path,label,split'];
  const all = [...selection.records.train, ...selection.records.validation];
  for (const r of all) lines.push([itemFile(root, r.path), r.text, r.split].map(csvField).join(','));
  fs.mkdirSync(out, { recursive: true });
  writeAtomically(path.join(out, 'dataset.csv'), `${lines.join('\n')}\n`);
  writeAtomically(path.join(out, 'labels.txt'), selection.labels.map((l) => `${l}\n`).join(''));
  return {
    format: 'csv', out, files: all.length, linked: 0, copied: 0, labels: selection.labels,
    splits: { train: selection.records.train.length, validation: selection.records.validation.length },
    verified_now: { images: verified.decoded, broken: verified.broken, seconds: verified.seconds },
  };
}

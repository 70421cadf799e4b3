/**
 * Exports for tools that want plain files: a folder tree (split/category path/file, hard
 * links where the file system allows, else copies) and a CSV manifest (path,label,split) that
 * `shiwake import --manifest` reads back.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Progress } from '../../shared/types.js';
import { csvField } from '../dataset/csv.js';
import { itemFile } from '../dataset/sources.js';
import { verifyUndecoded } from '../dataset/verify.js';
import type { VerifiedNow } from './exportTfrecord.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import { selectForExport, splitUnsplitItems } from '../dataset/selection.js';
import { writeAtomically } from '../files.js';
import { breather } from '../jobs/breathe.js';
import { isInside } from '../paths.js';
import { checkOutFolder, claimOutFolder, removeEarlierExport, writeMarker } from './outFolder.js';
import { CategoryFolders, safeComponent } from './safeNames.js';

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

export async function exportFolders(project: Project, out: string, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<FilesExportResult> {
  checkOutFolder(out);
  const verified = await verifyUndecoded(project, { signal, onProgress });
  await splitUnsplitItems(project, signal);
  const selection = selectForExport(project);
  const root = project.datasetRoot;
  const result: FilesExportResult = {
    format: 'folders', out, files: 0, linked: 0, copied: 0, labels: selection.labels, splits: { train: 0, validation: 0 },
    verified_now: { images: verified.decoded, broken: verified.broken, seconds: verified.seconds },
  };
  const all = [...selection.records.train, ...selection.records.validation];
  const files = ['train', 'validation', 'labels.txt'];
  const earlier = claimOutFolder(out);
  // an earlier export of ours goes wholly: a relabeled item must not stay in its old class too
  removeEarlierExport(out, earlier);
  writeMarker(out, { format: 'folders', files, state: 'writing' });
  const meter = new ProgressMeter('linking files', all.length);
  const folders = new CategoryFolders();
  const used = new Set<string>();
  const breathe = breather();
  for (const r of all) {
    if (signal?.aborted) break;
    const dir = path.join(out, r.split, ...folders.folderOf(r.text));
    const base = safeComponent(path.posix.basename(r.path));
    let target = path.join(dir, base);
    for (let n = 1; used.has(target.toLowerCase()); n++) target = path.join(dir, `${path.parse(base).name}-${n}${path.extname(base)}`);
    used.add(target.toLowerCase());
    if (!isInside(target, out)) throw new Error(`refusing to write ${target}: outside the export folder ${out}`);
    fs.mkdirSync(dir, { recursive: true });
    // a symbolic link in the dataset: export the file it leads to, not the link
    const source = fs.realpathSync(itemFile(root, r.path));
    try {
      fs.linkSync(source, target);
      result.linked++;
    } catch {
      fs.copyFileSync(source, target);
      result.copied++;
    }
    await breathe();
    result.files++;
    result.splits[r.split]++;
    if (result.files % 256 === 0) onProgress?.(meter.update(result.files));
  }
  writeAtomically(path.join(out, 'labels.txt'), selection.labels.map((l) => `${l}\n`).join(''));
  if (!signal?.aborted) writeMarker(out, { format: 'folders', files, state: 'done' });
  return result;
}

export async function exportCsv(project: Project, out: string, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<FilesExportResult> {
  checkOutFolder(out);
  const verified = await verifyUndecoded(project, { signal, onProgress });
  await splitUnsplitItems(project, signal);
  const selection = selectForExport(project);
  const root = project.datasetRoot;
  const lines = ['path,label,split'];
  const all = [...selection.records.train, ...selection.records.validation];
  for (const r of all) lines.push([itemFile(root, r.path), r.text, r.split].map(csvField).join(','));
  const files = ['dataset.csv', 'labels.txt'];
  removeEarlierExport(out, claimOutFolder(out));
  writeMarker(out, { format: 'csv', files, state: 'writing' });
  writeAtomically(path.join(out, 'dataset.csv'), `${lines.join('\n')}\n`);
  writeAtomically(path.join(out, 'labels.txt'), selection.labels.map((l) => `${l}\n`).join(''));
  writeMarker(out, { format: 'csv', files, state: 'done' });
  return {
    format: 'csv', out, files: all.length, linked: 0, copied: 0, labels: selection.labels,
    splits: { train: selection.records.train.length, validation: selection.records.validation.length },
    verified_now: { images: verified.decoded, broken: verified.broken, seconds: verified.seconds },
  };
}

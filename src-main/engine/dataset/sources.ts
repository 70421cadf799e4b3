/**
 * Where an import's files come from: a folder tree (category = folder path) or a CSV
 * manifest of path,label. Both give the same list of candidates.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { categoryFromFolder, MAX_CATEGORY_NAME_LENGTH, normalizeCategoryName, NOT_UTF8_REASON } from '../../shared/categoryName.js';
import { isInside } from '../paths.js';
import { parseCsv } from './csv.js';
import { describeFsError, walkDataset, type WalkIssue } from './walk.js';

export interface Candidate {
  /** the item's key: '/' separated path relative to the dataset root, or absolute when outside it */
  key: string;
  abs: string;
  category: string;
}

export interface CandidateList {
  candidates: Candidate[];
  issues: WalkIssue[];
  ignored: number;
  /** folders that could not be listed ('' is the root); see WalkResult */
  unreadable: string[];
}

export async function candidatesFromFolder(root: string, onFound?: (n: number) => void, signal?: AbortSignal): Promise<CandidateList> {
  const walk = await walkDataset(root, onFound, signal);
  const candidates: Candidate[] = [];
  for (const file of walk.files) {
    const slash = file.rel.lastIndexOf('/');
    if (slash < 0) {
      walk.issues.push({ path: file.rel, reason: 'at the top of the dataset folder, outside any category folder; move it into one' });
      continue;
    }
    const category = categoryFromFolder(file.rel.slice(0, slash));
    const tooLong = categoryTooLong(category);
    if (tooLong) walk.issues.push({ path: file.rel, reason: `its folder path ${tooLong}` });
    else candidates.push({ key: file.rel, abs: file.abs, category });
  }
  return { candidates, issues: walk.issues, ignored: walk.ignored, unreadable: walk.unreadable };
}

/**
 * A manifest is CSV with a header naming a `path` and a `label` column (any order, any
 * other columns ignored). Paths are relative to the CSV's folder, or absolute.
 */
export async function candidatesFromManifest(root: string, csvFile: string): Promise<CandidateList> {
  let text: string;
  try {
    text = await fs.readFile(csvFile, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the manifest ${csvFile}: ${(err as Error).message}`);
  }
  let rows;
  try {
    rows = parseCsv(text);
  } catch (err) {
    throw new Error(`${csvFile}: ${(err as Error).message}`);
  }
  const header = rows.shift();
  const columns = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const pathCol = columns.indexOf('path');
  const labelCol = columns.indexOf('label');
  if (pathCol < 0 || labelCol < 0) {
    throw new Error(`${csvFile}: the first line must be a header with "path" and "label" columns (found: ${header?.fields.join(',') ?? 'an empty file'})`);
  }
  const csvDir = path.dirname(path.resolve(csvFile));
  const rootAbs = path.resolve(root);
  const result: CandidateList = { candidates: [], issues: [], ignored: 0, unreadable: [] };
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const where = `${path.basename(csvFile)} line ${row.line}`;
    const rawPath = row.fields[pathCol]?.trim() ?? '';
    const rawLabel = row.fields[labelCol] ?? '';
    if (rawPath === '') {
      result.issues.push({ path: where, reason: 'the path is empty' });
      continue;
    }
    // the decoder turned bytes that are not UTF-8 into U+FFFD: skipped, as such folder names are
    if (rawPath.includes('\uFFFD')) {
      result.issues.push({ path: rawPath, reason: `${where}: the path: ${NOT_UTF8_REASON}` });
      continue;
    }
    if (rawLabel.includes('\uFFFD')) {
      result.issues.push({ path: rawPath, reason: `${where}: the label: ${NOT_UTF8_REASON}` });
      continue;
    }
    let category: string;
    try {
      category = normalizeCategoryName(rawLabel);
    } catch {
      result.issues.push({ path: rawPath, reason: `${where}: the label is empty or invalid ("${rawLabel}")` });
      continue;
    }
    const tooLong = categoryTooLong(category);
    if (tooLong) {
      result.issues.push({ path: rawPath, reason: `${where}: the label ${tooLong}` });
      continue;
    }
    const abs = path.resolve(csvDir, rawPath);
    const key = isInside(abs, rootAbs) ? path.relative(rootAbs, abs).split(path.sep).join('/') : abs;
    const seenAt = firstLine.get(key);
    if (seenAt !== undefined) {
      result.issues.push({ path: key, reason: `${where}: listed again (first on line ${seenAt}); the first label is kept` });
      continue;
    }
    firstLine.set(key, row.line);
    result.candidates.push({ key, abs, category });
  }
  return result;
}

/**
 * Checks that an import's source exists before anything is created for it (a project bound
 * to a typo would be stuck with it): the dataset folder must be a folder that can be listed,
 * and a manifest is read and parsed whole. Returns the manifest's candidates, if any.
 */
export async function checkImportSource(root: string, manifest?: string): Promise<CandidateList | undefined> {
  const where = `the dataset folder ${root}`;
  try {
    const dir = await fs.opendir(root);
    await dir.close();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'it does not exist (a typo?)' : e.code === 'ENOTDIR' ? 'it is a file, not a folder' : describeFsError(e);
    throw new Error(`cannot open ${where}: ${why}`);
  }
  return manifest === undefined ? undefined : candidatesFromManifest(root, manifest);
}

function categoryTooLong(name: string): string | undefined {
  if (name.length <= MAX_CATEGORY_NAME_LENGTH) return undefined;
  return `makes a category name of ${name.length} characters, over the limit of ${MAX_CATEGORY_NAME_LENGTH}`;
}

/** The absolute file of an item key (see Candidate.key). */
export function itemFile(root: string, key: string): string {
  return path.isAbsolute(key) ? key : path.join(root, ...key.split('/'));
}

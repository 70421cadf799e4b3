/**
 * Which files the studio may show by path: only files inside the open project's dataset
 * folder after resolving symbolic links (a link to /etc/passwd named x.jpg is refused), or
 * a file a manifest named explicitly. Everything else is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Project } from '../project.js';
import { itemFile } from '../dataset/sources.js';

export class MediaAccessError extends Error {}

const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif',
  '.avif': 'image/avif', '.bmp': 'image/bmp', '.tif': 'image/tiff', '.tiff': 'image/tiff',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Resolves a path relative to the dataset folder; throws MediaAccessError for anything outside it. */
export function resolveDatasetFile(project: Project, relative: string): string {
  if (relative.includes('\0')) throw new MediaAccessError('invalid path');
  // an absolute item path comes from a manifest the user imported: that file was chosen explicitly
  const known = project.items.findByPath(relative);
  if (known && path.isAbsolute(known.path)) return itemFile(project.datasetRoot, known.path);
  if (path.isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) throw new MediaAccessError('outside the dataset folder');
  const root = fs.realpathSync(project.datasetRoot);
  let real: string;
  try {
    real = fs.realpathSync(path.join(root, relative));
  } catch {
    throw new MediaAccessError('no such file');
  }
  const rel = path.relative(root, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new MediaAccessError('outside the dataset folder');
  return real;
}

/**
 * Which files the studio may show (by path, or as an item's thumbnail or preview): only files
 * inside the open project's dataset folder after resolving symbolic links (a link to
 * /etc/passwd named x.jpg is refused), or a file a manifest named explicitly. Everything else
 * is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Project } from '../project.js';
import { itemFile } from '../dataset/sources.js';
import { isInside } from '../paths.js';

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
  return confinedFile(project.datasetRoot, relative);
}

/**
 * The file behind an item, for a thumbnail or a preview: an item key (a path relative to the
 * dataset folder, or an absolute path a manifest named) confined like resolveDatasetFile.
 */
export function itemFileToShow(datasetRoot: string, key: string): string {
  if (path.isAbsolute(key)) return key;
  const file = itemFile(datasetRoot, key);
  // a vanished file (or a dangling link) shows nothing: the decoder reports it like any unreadable file
  if (!fs.existsSync(file)) return file;
  return confinedFile(datasetRoot, key);
}

/** `relative` inside `root` once every symbolic link is resolved, or MediaAccessError. */
function confinedFile(root: string, relative: string): string {
  let real: string;
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
    real = fs.realpathSync(itemFile(root, relative));
  } catch {
    throw new MediaAccessError('no such file');
  }
  if (!isInside(real, realRoot)) throw new MediaAccessError('outside the dataset folder (a symbolic link leads out of it)');
  return real;
}

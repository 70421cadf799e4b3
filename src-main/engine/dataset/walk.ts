/**
 * Lists the files under a dataset folder. Never throws for one bad entry: unreadable
 * folders, symlink loops, dangling links, special files and names that are not valid UTF-8
 * are reported as issues and the walk goes on.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { NOT_UTF8_REASON } from '../../shared/categoryName.js';
import { isInside } from '../paths.js';

export interface FoundFile {
  /** '/' separated, relative to the root */
  rel: string;
  abs: string;
}

export interface WalkIssue {
  path: string;
  reason: string;
}

export interface WalkResult {
  files: FoundFile[];
  issues: WalkIssue[];
  /** hidden and system files left out on purpose (.DS_Store, Thumbs.db, ...) */
  ignored: number;
  /** folders that could not be listed ('' is the root): what was imported from them is kept as it was */
  unreadable: string[];
}

const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'icon\r']);
const SYSTEM_FOLDERS = new Set(['__macosx', '$recycle.bin', 'system volume information']);

export function isIgnoredName(name: string): boolean {
  const lower = name.toLowerCase();
  return name.startsWith('.') || SYSTEM_FILES.has(lower) || SYSTEM_FOLDERS.has(lower);
}

export async function walkDataset(
  root: string,
  onProgress?: (found: number) => void,
  signal?: AbortSignal,
): Promise<WalkResult> {
  const result: WalkResult = { files: [], issues: [], ignored: 0, unreadable: [] };
  const rootReal = await fs.realpath(root).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot open the dataset folder ${root}: ${describeFsError(err)}`);
  });
  const rootStat = await fs.stat(rootReal);
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a folder`);
  const visited = new Set<string>([rootReal]);
  // Depth-first with an explicit stack: no recursion limit on deep trees.
  const stack: { abs: string; rel: string; real: string }[] = [{ abs: root, rel: '', real: rootReal }];
  while (stack.length > 0) {
    if (signal?.aborted) break;
    const dir = stack.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir.abs, { withFileTypes: true });
    } catch (err) {
      result.issues.push({ path: dir.rel || '.', reason: `cannot read folder: ${describeFsError(err as NodeJS.ErrnoException)}` });
      result.unreadable.push(dir.rel);
      continue;
    }
    const subdirs: typeof stack = [];
    for (const entry of entries) {
      const name = entry.name;
      const rel = dir.rel ? `${dir.rel}/${name}` : name;
      if (isIgnoredName(name)) {
        result.ignored++;
        continue;
      }
      if (name.includes('\uFFFD')) {
        result.issues.push({ path: rel, reason: NOT_UTF8_REASON });
        continue;
      }
      const abs = path.join(dir.abs, name);
      let kind: 'file' | 'dir' | 'other' = entry.isFile() ? 'file' : entry.isDirectory() ? 'dir' : 'other';
      if (entry.isSymbolicLink()) {
        const target = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => err);
        if (target instanceof Error) {
          const reason = target.code === 'ELOOP' ? 'symbolic link loop' : `broken symbolic link (${describeFsError(target)})`;
          result.issues.push({ path: rel, reason });
          continue;
        }
        kind = target.isFile() ? 'file' : target.isDirectory() ? 'dir' : 'other';
      }
      if (kind === 'file') {
        result.files.push({ rel, abs });
      } else if (kind === 'dir') {
        const real = await fs.realpath(abs).catch(() => abs);
        if (visited.has(real) || isInside(dir.real, real)) {
          result.issues.push({ path: rel, reason: `symbolic link loop: it leads back to ${path.relative(rootReal, real) || 'the dataset folder'}, already scanned` });
          continue;
        }
        visited.add(real);
        subdirs.push({ abs, rel, real });
      } else {
        result.issues.push({ path: rel, reason: 'not a regular file (a device, pipe or socket)' });
      }
    }
    // push in reverse so that folders are visited in name order
    subdirs.sort((a, b) => (a.rel < b.rel ? 1 : -1));
    stack.push(...subdirs);
    onProgress?.(result.files.length);
  }
  return result;
}

export function describeFsError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it no longer exists';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'ENOTDIR':
      return 'not a folder';
    case 'EIO':
      return 'input/output error (a failing disk or network share?)';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}

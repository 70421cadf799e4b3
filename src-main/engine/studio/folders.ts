/** The folder browser behind browse mode's "open a dataset folder" and file picking. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FolderListing } from '../../shared/contract.js';
import { describeFsError, isIgnoredName } from '../dataset/walk.js';

export function listFolder(dir?: string): FolderListing {
  const abs = path.resolve(dir && dir.trim() ? dir : os.homedir());
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(abs, { withFileTypes: true });
  } catch (err) {
    throw new Error(`cannot open ${abs}: ${describeFsError(err as NodeJS.ErrnoException)}`);
  }
  const parent = path.dirname(abs);
  return {
    dir: abs,
    parent: parent === abs ? null : parent,
    entries: entries
      .filter((e) => !isIgnoredName(e.name))
      .map((e) => {
        const p = path.join(abs, e.name);
        let isDir = e.isDirectory();
        if (e.isSymbolicLink()) isDir = fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
        return { name: e.name, path: p, isDir };
      })
      .sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.name.localeCompare(b.name))
      .slice(0, 5000),
  };
}

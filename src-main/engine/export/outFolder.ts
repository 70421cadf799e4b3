/**
 * Whose files are in an export folder. Every export leaves a small marker
 * (`.shiwake-export.json`) listing the names it writes there, before it writes any of them.
 * An export goes into an empty or new folder, or one with a marker: then the names that
 * marker lists (an earlier export of ours) are replaced wholly, and nothing else there is
 * touched. A folder holding anything else is refused: Shiwake never deletes or merges into
 * files it did not write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isIgnoredName } from '../dataset/walk.js';
import { writeAtomically } from '../files.js';
import type { ShardInfo } from './exportTfrecord.js';

export const MARKER = '.shiwake-export.json';

export interface ExportMarker {
  tool: 'shiwake';
  format: 'tfrecord' | 'folders' | 'csv';
  /** every name (directly in the folder) this export writes or may leave behind */
  files: string[];
  state: 'writing' | 'done';
  /** TFRecord: what the export was (to resume it) and the shards finished so far */
  fingerprint?: string;
  shards?: ShardInfo[];
}

/**
 * Makes sure `out` may be written: creates it when needed and returns the marker of an earlier
 * export there (or undefined). Throws, naming a few of the files, when the folder holds
 * anything that no marker accounts for.
 */
export function claimOutFolder(out: string): ExportMarker | undefined {
  const marker = checkOutFolder(out);
  fs.mkdirSync(out, { recursive: true });
  return marker;
}

/** claimOutFolder without creating anything: an export checks first, before its long work. */
export function checkOutFolder(out: string): ExportMarker | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync(out);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot use the export folder ${out}: ${(err as Error).message}`);
    return undefined;
  }
  const marker = readMarker(out);
  if (marker) return marker;
  const foreign = entries.filter((name) => !isIgnoredName(name));
  if (foreign.length > 0) {
    const some = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, and ${foreign.length - 3} more` : '');
    throw new Error(`the export folder ${out} is not empty and was not written by Shiwake (it holds ${some}); choose an empty or new folder`);
  }
  return undefined;
}

/** Removes what an earlier export listed (and its temporary files), except the names in `keep`. */
export function removeEarlierExport(out: string, earlier: ExportMarker | undefined, keep: ReadonlySet<string> = new Set()): void {
  if (!earlier) return;
  const listed = new Set(earlier.files);
  for (const name of fs.readdirSync(out)) {
    if (keep.has(name) || name === MARKER) continue;
    const tmpOf = /^(.*)\.(tmp|old)-\d+$/.exec(name)?.[1];
    if (listed.has(name) || (tmpOf !== undefined && listed.has(tmpOf))) fs.rmSync(path.join(out, name), { recursive: true, force: true });
  }
}

export function writeMarker(out: string, marker: Omit<ExportMarker, 'tool'>): void {
  writeAtomically(path.join(out, MARKER), `${JSON.stringify({ tool: 'shiwake', ...marker })}\n`);
}

function readMarker(out: string): ExportMarker | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(out, MARKER), 'utf8')) as ExportMarker;
    return m.tool === 'shiwake' && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * File and folder names for a folder export, made from category names and file names that
 * may hold anything a person typed or a manifest carried: `..`, separators, control
 * characters, names Windows refuses. Every component is made safe on its own, so a path
 * built from them can never leave the export folder.
 */
import { splitCategoryName } from '../../shared/categoryName.js';

const MAX_BYTES = 200; // below the usual 255-byte limit, leaving room for " (2)" and "-12"

/** One path component: never empty, `.` or `..`, without separators or control characters. */
export function safeComponent(name: string): string {
  let s = name.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_');
  if (/^\.*$/.test(s)) s = '_'.repeat(Math.max(1, s.length)); // '', '.', '..'
  s = s.replace(/[. ]+$/, (tail) => '_'.repeat(tail.length)); // Windows drops trailing dots and spaces
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(s)) s = `_${s}`;
  while (Buffer.byteLength(s) > MAX_BYTES) s = [...s].slice(0, -1).join('');
  return s;
}

/**
 * The folder of each category below a split folder: its name's parts, each made safe, and
 * kept apart when two categories would land in the same folder (`a:b` and `a_b`, or `A` and
 * `a` on a case-insensitive disk) by a " (2)" suffix.
 */
export class CategoryFolders {
  private readonly byCategory = new Map<string, string[]>();
  private readonly taken = new Map<string, string>();

  folderOf(category: string): string[] {
    const known = this.byCategory.get(category);
    if (known) return known;
    const parts = splitCategoryName(category);
    const out: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join('\u0000');
      const parent = out.join('/');
      let name = this.byCategory.get(prefix)?.[i];
      if (name === undefined) {
        const base = safeComponent(parts[i]!);
        name = base;
        for (let n = 2; this.taken.has(`${parent}/${name}`.toLowerCase()) && this.taken.get(`${parent}/${name}`.toLowerCase()) !== prefix; n++) name = `${base} (${n})`;
        this.taken.set(`${parent}/${name}`.toLowerCase(), prefix);
        this.byCategory.set(prefix, [...out, name]);
      }
      out.push(name);
    }
    this.byCategory.set(category, out);
    return out;
  }
}

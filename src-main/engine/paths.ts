/** The one answer to "is this path inside that folder?", used wherever a path must stay confined. */
import path from 'node:path';

/** Whether `child` is `parent` itself or lies below it (lexically: resolve symbolic links first where they matter). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

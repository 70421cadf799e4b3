import type { Statement } from '../connection.js';

const CHUNK = 5000;

/**
 * Runs a statement whose first parameter is a JSON array of ids (read with json_each) over
 * the ids in chunks, so a million ids never make one huge parameter; `rest` follows the ids.
 */
export function allForIds<T>(stmt: Statement, ids: readonly number[], ...rest: unknown[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(stmt.all(JSON.stringify(ids.slice(i, i + CHUNK)), ...rest) as T[]));
  return out;
}

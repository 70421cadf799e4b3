/** What imports left behind: the problems panel's rows (skipped files, broken items). */
import { importProblems } from '../../dataset/problems.js';
import type { AreaHandlers, StudioContext } from '../context.js';

export function importsArea(ctx: StudioContext): AreaHandlers<'import.problems'> {
  return {
    'import.problems': (a) => importProblems(ctx.need().project, a),
  };
}

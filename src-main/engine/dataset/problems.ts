/** An import's problems for the studio's panel: its skipped files and the broken items, filtered. */
import type { ImportProblem, ImportProblems } from '../../shared/problems.js';
import { compareCodePoints } from '../../shared/order.js';
import type { Project } from '../project.js';

export interface ProblemQuery {
  job?: number;
  kind?: 'any' | 'skipped' | 'broken';
  /** case-insensitive text in the path or the reason */
  search?: string;
  limit?: number;
}

export function importProblems(project: Project, query: ProblemQuery = {}): ImportProblems {
  const job = query.job !== undefined ? project.jobs.get(query.job) : project.jobs.latest('import');
  if (query.job !== undefined && job?.kind !== 'import') throw new Error(`no import job with id ${query.job}`);
  const skipped: ImportProblem[] = job ? project.jobs.issues(job.id).map((i): ImportProblem => ({ kind: 'skipped', ...i, itemId: null })) : [];
  skipped.sort((a, b) => compareCodePoints(a.path, b.path));
  const broken: ImportProblem[] = project.items.brokenWithIds().map((b) => ({ kind: 'broken', path: b.path, reason: b.reason, itemId: b.id }));
  const needle = query.search?.trim().toLowerCase() ?? '';
  const kind = query.kind ?? 'any';
  const matching = [...(kind === 'broken' ? [] : skipped), ...(kind === 'skipped' ? [] : broken)].filter(
    (p) => needle === '' || p.path.toLowerCase().includes(needle) || p.reason.toLowerCase().includes(needle),
  );
  const limit = query.limit ?? 1000;
  return {
    job: job?.id ?? null,
    finishedAt: job?.finished_at ?? null,
    skipped: skipped.length,
    broken: broken.length,
    rows: matching.slice(0, limit),
    more: Math.max(0, matching.length - limit),
  };
}

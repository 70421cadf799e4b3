/** Duplicates and leakage: groups (exact, and near by a run's embeddings), keep one, one split per group. */
import type { DuplicateGroupView, DuplicatePage } from '../../../shared/duplicates.js';
import { putGroupsInOneSplit } from '../../dataset/groupSplit.js';
import type { Project } from '../../project.js';
import { DEFAULT_THRESHOLD, findDuplicates, keepOneOfEach, refreshGroups, type DuplicateGroup } from '../../review/duplicates.js';
import { embeddingsOfRun } from '../../review/runEmbeddings.js';
import { edited, type AreaHandlers, type StudioContext } from '../context.js';

type DuplicateMethods = 'duplicates.list' | 'duplicates.keepOne' | 'duplicates.oneSplit';

export function duplicatesArea(ctx: StudioContext): AreaHandlers<DuplicateMethods> {
  // The search (hashing, the index, k-NN of every item) is the slow part: its groups are kept
  // per project, run and threshold, and each page re-reads members' status and split, so
  // exclusions and split changes show at once. New items or embeddings need a new search
  // (`refresh`, the panel's "Search again"); the cache goes with the project.
  let cache: { project: Project; key: string; groups: DuplicateGroup[]; near: boolean; threshold: number } | null = null;
  ctx.onClose(() => void (cache = null));

  async function groupsFor(project: Project, run: string | undefined, threshold: number, refresh: boolean) {
    const key = `${run ?? ''}|${threshold}`;
    if (refresh || cache?.project !== project || cache.key !== key) {
      const report = await findDuplicates(project, { embeddings: run ? embeddingsOfRun(project, run) : undefined, threshold });
      cache = { project, key, groups: report.groups, near: report.near, threshold };
    }
    return { ...cache, groups: refreshGroups(project, cache.groups) };
  }

  return {
    'duplicates.list': async (a): Promise<DuplicatePage> => {
      const { project } = ctx.need();
      const found = await groupsFor(project, a.run, a.threshold ?? DEFAULT_THRESHOLD, a.refresh === true);
      const leaks = found.groups.filter((g) => g.leak);
      const shown = a.leakOnly ? leaks : found.groups;
      return {
        total: shown.length,
        leaks: leaks.length,
        near: found.near,
        threshold: found.threshold,
        groups: shown.slice(a.offset, a.offset + a.limit).map((g) => view(project, g)),
      };
    },
    'duplicates.keepOne': (a) => edited(ctx, keepOneOfEach(ctx.need().project, a.groups)),
    'duplicates.oneSplit': (a) => {
      const result = putGroupsInOneSplit(ctx.need().project, a.groups);
      // splits are shown in the grid's filters and counts: tell every window
      if (result.changed > 0) ctx.labelsChanged(null, result.description);
      return result;
    },
  };
}

function view(project: Project, g: DuplicateGroup): DuplicateGroupView {
  const items = g.ids.flatMap((id, i) => {
    const item = project.items.get(id);
    if (!item) return [];
    return [{ id, path: item.path, categoryId: item.category_id, status: item.status, reason: item.reason, width: item.width, height: item.height, size: item.size, mtimeMs: item.mtime_ms, split: g.splits[i] ?? null }];
  });
  return { kind: g.kind, similarity: g.similarity, leak: g.leak, items };
}

/** Duplicates and leakage: groups (exact, and near by a run's or a backbone's embeddings), keep one, one split per group. */
import type { DuplicateGroupView, DuplicatePage } from '../../../shared/duplicates.js';
import { putGroupsInOneSplit } from '../../dataset/groupSplit.js';
import { plural } from '../../dataset/labels.js';
import type { Project } from '../../project.js';
import { DEFAULT_THRESHOLD, findDuplicates, keepOneOfEach, refreshGroups, type DuplicateReport, type DuplicateGroup } from '../../review/duplicates.js';
import { PredictionService } from '../../predict/service.js';
import { embedItems, embeddingSource, type EmbeddingSource } from '../../review/reviewJob.js';
import { checkRunEmbeddings, embeddingsOfRun } from '../../review/runEmbeddings.js';
import { edited, type AreaHandlers, type StudioContext } from '../context.js';

type DuplicateMethods = 'duplicates.list' | 'duplicates.keepOne' | 'duplicates.oneSplit';

/** a list call waits this long for a search it started: a small project's groups come in the same answer */
const WAIT_MS = 3000;

interface Search {
  project: Project;
  job: number | null;
  done: Promise<void>;
  report?: DuplicateReport;
  error?: string;
}

export function duplicatesArea(ctx: StudioContext): AreaHandlers<DuplicateMethods> {
  // The search (hashing, the index, the neighbours of every item) can take minutes at 1M items:
  // it runs as a job, and its groups are kept per run and threshold. Each page re-reads its
  // members' status and split, so exclusions and split changes show at once; new items or
  // embeddings need a new search (`refresh`, the panel's "Search again").
  const searches = new Map<string, Search>();
  // a backbone given by folder or URL embeds the items first (incrementally), as the review does
  const service = new PredictionService();
  ctx.onClose(() => {
    searches.clear();
    service.close();
  });

  function search(project: Project, run: string | undefined, threshold: number, backbone?: EmbeddingSource): Search {
    if (run && !backbone) checkRunEmbeddings(project, run);
    let settle = (): void => {};
    const s: Search = { project, job: null, done: new Promise<void>((resolve) => (settle = resolve)) };
    const job = ctx.jobs.start('duplicates', run ? `Find duplicates (${backbone?.backbone ? `backbone ${backbone.backbone.name}` : `run ${run}`})` : 'Find identical files', async (signal, progress) => {
      try {
        if (backbone && (await embedItems(project, service, backbone, project.review.activeItemIds(), { signal, onProgress: progress })).cancelled) throw new Error('cancelled');
        const report = await findDuplicates(project, { embeddings: run ? embeddingsOfRun(project, run) : undefined, threshold, onProgress: progress, signal });
        s.report = report;
        return { cancelled: false, message: `${plural(report.groups.length, 'group')}, ${report.groups.filter((g) => g.leak).length} in both train and validation` };
      } catch (err) {
        s.error = signal.aborted ? 'the duplicate search was cancelled: search again' : (err as Error).message;
        if (signal.aborted) return { cancelled: true, message: 'cancelled' };
        throw err;
      } finally {
        s.job = null;
        settle();
      }
    });
    // a search that failed at once has settled already: it has no running job
    if (s.report === undefined && s.error === undefined) s.job = job;
    return s;
  }

  return {
    'duplicates.list': async (a): Promise<DuplicatePage> => {
      const { project } = ctx.need();
      const threshold = a.threshold ?? DEFAULT_THRESHOLD;
      const backbone = a.backbone === undefined ? undefined : embeddingSource(project, a.run, { backbone: a.backbone, imageSize: a.imageSize });
      const run = backbone?.run ?? a.run;
      const key = `${run ?? ''}|${threshold}`;
      let s = searches.get(key);
      if (a.refresh || s?.project !== project || s.error) {
        if (s?.job != null && s.project === project) ctx.jobs.cancel(s.job);
        s = search(project, run, threshold, backbone);
        searches.set(key, s);
      }
      if (s.job !== null) await Promise.race([s.done, new Promise((resolve) => setTimeout(resolve, WAIT_MS))]);
      if (s.error) throw new Error(s.error);
      const base = { near: run !== undefined, threshold, searching: s.job };
      if (!s.report) return { ...base, total: 0, leaks: 0, groups: [] };
      const groups = refreshGroups(project, s.report.groups);
      const leaks = groups.filter((g) => g.leak);
      const shown = a.leakOnly ? leaks : groups;
      return { ...base, total: shown.length, leaks: leaks.length, groups: shown.slice(a.offset, a.offset + a.limit).map((g) => view(project, g)) };
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

/**
 * Import (and re-import) of a dataset folder or manifest into a project.
 *
 * - Files are listed first, then stat'ed and probed in parallel; results are written in
 *   transactions of a few thousand, so a killed import leaves a consistent database and
 *   the next run skips what was already done (same size and mtime).
 * - Nothing is fatal per file: each bad file becomes a `broken` item or a listed issue.
 * - Items not seen by a complete scan become `missing`; user relabels are never touched.
 *   Items under a folder that could not be read are left as they were (the folder is listed),
 *   and an item that was excluded when its file vanished is excluded again when it returns.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Progress } from '../../shared/types.js';
import { probeFile, type ProbeResult } from '../images/probe.js';
import { forEachConcurrent } from '../jobs/forEachConcurrent.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import { candidatesFromFolder, candidatesFromManifest, type Candidate, type CandidateList } from './sources.js';
import { describeFsError, type WalkIssue } from './walk.js';

export interface ImportOptions {
  manifest?: string;
  /** the manifest's candidates, when checkImportSource has read them already */
  source?: CandidateList;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** files probed at once (default 48) */
  concurrency?: number;
}

export interface ImportSummary {
  job: number;
  state: 'done' | 'cancelled';
  files: number;
  added: number;
  updated: number;
  unchanged: number;
  restored: number;
  missing: number;
  broken: number;
  ignored: number;
  issues: WalkIssue[];
  seconds: number;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.bmp', '.dib', '.heic', '.heif']);
const WRITE_BATCH = 2000;

type Outcome =
  | { kind: 'unchanged'; id: number }
  | { kind: 'probed'; candidate: Candidate; existing: ExistingItem | undefined; size: number; mtimeMs: number; probe: ProbeResult }
  | { kind: 'issue'; issue: WalkIssue; keepId?: number };

interface ExistingItem {
  id: number;
  size: number;
  mtime_ms: number;
  status: string;
  reason: string | null;
}

export async function importDataset(project: Project, options: ImportOptions = {}): Promise<ImportSummary> {
  const root = project.datasetRoot;
  const jobId = project.jobs.start('import', { root, manifest: options.manifest ?? null });
  const meter = new ProgressMeter('scanning folders', null);
  const report = (done: number, problems = 0): void => options.onProgress?.({ ...meter.update(done), problems });
  try {
    const summary = await runImport(project, root, jobId, options, meter, report);
    project.jobs.finish(jobId, summary.state, summary, null);
    return summary;
  } catch (err) {
    project.jobs.finish(jobId, 'failed', undefined, (err as Error).message);
    throw err;
  }
}

async function runImport(
  project: Project,
  root: string,
  jobId: number,
  options: ImportOptions,
  meter: ProgressMeter,
  report: (done: number, problems?: number) => void,
): Promise<ImportSummary> {
  const { signal } = options;
  const source =
    options.source ?? (options.manifest !== undefined ? await candidatesFromManifest(root, options.manifest) : await candidatesFromFolder(root, report, signal));
  const { candidates } = source;
  const issues: WalkIssue[] = [...source.issues];
  const counts = { added: 0, updated: 0, unchanged: 0, restored: 0, missing: 0, broken: 0 };
  const seen = new Uint8Array(project.items.maxId() + 1);
  let importBatch: number | undefined;
  const batchId = (): number => (importBatch ??= project.labels.createBatch('import', `import of ${root}`, false));

  const apply = (outcome: Outcome): void => {
    if (outcome.kind === 'unchanged') {
      seen[outcome.id] = 1;
      counts.unchanged++;
    } else if (outcome.kind === 'issue') {
      issues.push(outcome.issue);
      // a file that exists but cannot be reached keeps its item as it was, not `missing`
      if (outcome.keepId !== undefined && outcome.keepId < seen.length) seen[outcome.keepId] = 1;
    } else {
      applyProbe(project, outcome, counts, issues, batchId, (id) => id < seen.length && (seen[id] = 1));
    }
  };

  meter.setPhase('reading image headers', candidates.length);
  let pending: Outcome[] = [];
  const flush = (): void => {
    const batch = pending;
    pending = [];
    project.db.transaction(() => batch.forEach(apply))();
  };
  let done = 0;
  await forEachConcurrent(candidates, options.concurrency ?? 48, signal, async (candidate) => {
    const outcome = await examine(project, candidate);
    pending.push(outcome); // not `pending.push(await ...)`: flush() swaps the array while we wait
    done++;
    if (pending.length >= WRITE_BATCH) flush();
    if ((done & 63) === 0) {
      // probes are mostly synchronous reads: let the event loop breathe (a studio serves meanwhile)
      await new Promise((resolve) => setImmediate(resolve));
      report(done, counts.broken + issues.length);
      if ((done & 4095) === 0) project.jobs.progress(jobId, done, candidates.length);
    }
  });
  flush();
  report(done, counts.broken + issues.length);
  const cancelled = signal?.aborted ?? false;
  if (!cancelled) counts.missing = await markMissing(project, seen, batchId, source.unreadable, issues);
  for (const issue of issues) project.jobs.addIssue(jobId, issue.path, issue.reason);
  project.jobs.progress(jobId, done, candidates.length);
  return {
    job: jobId,
    state: cancelled ? 'cancelled' : 'done',
    files: candidates.length,
    ...counts,
    ignored: source.ignored,
    issues,
    seconds: meter.elapsedSeconds(),
  };
}

async function examine(project: Project, candidate: Candidate): Promise<Outcome> {
  let stat;
  try {
    stat = fs.statSync(candidate.abs);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { kind: 'issue', issue: { path: candidate.key, reason: 'vanished during the scan (or listed but not found)' } };
    const keepId = project.items.findByPath(candidate.key)?.id;
    const kept = keepId === undefined ? '' : '; the item is left as it was';
    return { kind: 'issue', issue: { path: candidate.key, reason: `cannot read: ${describeFsError(e)}${kept}` }, keepId };
  }
  if (!stat.isFile()) return { kind: 'issue', issue: { path: candidate.key, reason: 'not a regular file' } };
  const existing = project.items.findByPath(candidate.key) as ExistingItem | undefined;
  const mtimeMs = Math.trunc(stat.mtimeMs);
  if (existing && existing.size === stat.size && existing.mtime_ms === mtimeMs && existing.status !== 'missing') {
    return { kind: 'unchanged', id: existing.id };
  }
  let probe: ProbeResult;
  try {
    probe = await probeFile(candidate.abs, stat.size);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { kind: 'issue', issue: { path: candidate.key, reason: 'vanished during the scan' } };
    probe = { kind: 'broken', format: null, width: null, height: null, reason: `cannot read: ${describeFsError(e)}` };
  }
  return { kind: 'probed', candidate, existing, size: stat.size, mtimeMs, probe };
}

function applyProbe(
  project: Project,
  outcome: Extract<Outcome, { kind: 'probed' }>,
  counts: { added: number; updated: number; restored: number; broken: number },
  issues: WalkIssue[],
  batchId: () => number,
  markSeen: (id: number) => void,
): void {
  const { candidate, existing, probe } = outcome;
  if (probe.kind === 'not-image') {
    const ext = path.extname(candidate.key).toLowerCase();
    if (!existing && !IMAGE_EXTENSIONS.has(ext)) {
      issues.push({ path: candidate.key, reason: probe.reason });
      return;
    }
  }
  const isImage = probe.kind === 'image';
  const fields = {
    size: outcome.size,
    mtime_ms: outcome.mtimeMs,
    width: probe.kind === 'not-image' ? null : probe.width,
    height: probe.kind === 'not-image' ? null : probe.height,
    format: probe.kind === 'not-image' ? null : probe.format,
  };
  const reason = isImage ? null : probe.reason;
  if (!isImage) counts.broken++;
  if (!existing) {
    const categoryId = project.categories.ensure(candidate.category);
    project.items.insert({ path: candidate.key, ...fields, category_id: categoryId, status: isImage ? 'active' : 'broken', reason });
    counts.added++;
    return;
  }
  markSeen(existing.id);
  project.items.updateProbe(existing.id, fields);
  // an excluded item stays excluded, even across missing -> present: that was a person's decision
  const wasExcluded = existing.status === 'excluded' || (existing.status === 'missing' && project.items.statusBeforeMissing(existing.id) === 'excluded');
  const nextStatus = wasExcluded ? 'excluded' : isImage ? 'active' : 'broken';
  if (existing.status === 'missing') counts.restored++;
  else counts.updated++;
  if (nextStatus !== existing.status || reason !== existing.reason) {
    project.items.setStatus(existing.id, nextStatus, nextStatus === 'excluded' ? (existing.status === 'excluded' ? existing.reason : null) : reason);
    if (nextStatus !== existing.status) project.labels.addEvent(batchId(), existing.id, 'status', existing.status, nextStatus);
  }
}

/**
 * Items a complete scan did not see are missing (their labels and history are kept), except
 * those under a folder that could not be read: nothing is known of them, so they stay as they
 * were, and the folder's issue says how many.
 */
async function markMissing(project: Project, seen: Uint8Array, batchId: () => number, unreadable: string[], issues: WalkIssue[]): Promise<number> {
  const gone: number[] = [];
  for (const id of project.items.presentIds()) if (id >= seen.length || seen[id] !== 1) gone.push(id);
  // items added by this import have ids beyond `seen`; they were seen by construction
  const firstNew = seen.length;
  const kept = new Map<string, number>();
  const under = (key: string): string | undefined => unreadable.find((dir) => dir === '' || key.startsWith(`${dir}/`));
  let missing = 0;
  // in transactions of WRITE_BATCH with a turn of the event loop between: a folder of 1M
  // vanished files must neither hold the write lock nor the studio's loop for seconds
  for (let start = 0; start < gone.length; start += WRITE_BATCH) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    project.db.transaction(() => {
      for (const id of gone.slice(start, start + WRITE_BATCH)) {
        if (id >= firstNew) continue;
        const item = project.items.get(id)!;
        const dir = under(item.path);
        if (dir !== undefined) {
          kept.set(dir, (kept.get(dir) ?? 0) + 1);
          continue;
        }
        project.items.setStatus(id, 'missing', 'the file is no longer in the dataset folder');
        project.labels.addEvent(batchId(), id, 'status', item.status, 'missing');
        missing++;
      }
    })();
  }
  for (const issue of issues) {
    const n = kept.get(issue.path === '.' ? '' : issue.path);
    if (n && issue.reason.startsWith('cannot read folder')) issue.reason += `; its ${n} item${n === 1 ? '' : 's'} from earlier imports left as they were`;
  }
  return missing;
}

import type { RunMetric } from '../../../shared/contract.js';
import type { Db, Statement } from '../connection.js';

export type RunState = 'running' | 'stopped' | 'done' | 'failed';

export interface RunRow {
  id: string;
  created_at: string;
  model: string;
  options: string;
  state: RunState;
  backend: string | null;
  epoch: number;
  step: number;
  total_steps: number | null;
  top1: number | null;
  top5: number | null;
  message: string | null;
  pid: number | null;
  updated_at: string;
  name: string | null;
  note: string | null;
}

export type MetricRow = RunMetric;

export class RunRepo {
  private readonly metricStmt: Statement;
  private readonly progressStmt: Statement;

  constructor(private readonly db: Db) {
    this.metricStmt = db.prepare(
      `INSERT INTO run_metrics (run_id, kind, step, epoch, loss, top1, top5, lr, images_per_sec, at)
       VALUES (@run, @kind, @step, @epoch, @loss, @top1, @top5, @lr, @images_per_sec, @at)`,
    );
    this.progressStmt = db.prepare('UPDATE runs SET epoch = ?, step = ?, total_steps = ?, updated_at = ? WHERE id = ?');
  }

  create(id: string, model: string, options: unknown, name: string | null = null): void {
    const now = new Date().toISOString();
    this.db.prepare("INSERT INTO runs (id, created_at, model, options, state, pid, updated_at, name) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)").run(id, now, model, JSON.stringify(options), process.pid, now, name);
  }

  /**
   * A pretrained backbone's pseudo-run (model 'backbone', state 'done'): it only holds the
   * embeddings the review made with it. Created once; later calls update its options.
   */
  recordBackbone(id: string, name: string, note: string, options: unknown): void {
    const now = new Date().toISOString();
    this.db
      .prepare("INSERT INTO runs (id, created_at, model, options, state, updated_at, name, note) VALUES (?, ?, 'backbone', ?, 'done', ?, ?, ?) ON CONFLICT(id) DO UPDATE SET options = excluded.options, updated_at = excluded.updated_at")
      .run(id, now, JSON.stringify(options), now, name, note);
  }

  /** Renames or annotates a run; an empty string clears the field, an absent one keeps it. */
  annotate(id: string, fields: { name?: string; note?: string }): RunRow {
    const row = this.get(id);
    if (!row) throw new Error(`there is no run "${id}" in this project (shiwake runs lists them)`);
    const clean = (v: string | undefined, old: string | null): string | null => (v === undefined ? old : v.trim() === '' ? null : v.trim());
    this.db.prepare('UPDATE runs SET name = ?, note = ? WHERE id = ?').run(clean(fields.name, row.name), clean(fields.note, row.note), id);
    return this.get(id)!;
  }

  get(id: string): RunRow | undefined {
    return this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  }

  all(): RunRow[] {
    return this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC').all() as RunRow[];
  }

  setState(id: string, state: RunState, fields: { backend?: string; top1?: number | null; top5?: number | null; message?: string | null; pid?: number | null } = {}): void {
    const row = this.get(id);
    if (!row) throw new Error(`no run ${id}`);
    this.db
      .prepare('UPDATE runs SET state = ?, backend = ?, top1 = ?, top5 = ?, message = ?, pid = ?, updated_at = ? WHERE id = ?')
      .run(state, fields.backend ?? row.backend, fields.top1 === undefined ? row.top1 : fields.top1, fields.top5 === undefined ? row.top5 : fields.top5,
        fields.message === undefined ? row.message : fields.message, fields.pid === undefined ? row.pid : fields.pid, new Date().toISOString(), id);
  }

  progress(id: string, epoch: number, step: number, totalSteps: number): void {
    this.progressStmt.run(epoch, step, totalSteps, new Date().toISOString(), id);
  }

  /** Replaces a run's stored options: the trainer records the batch it chose for `--batch-size auto`, so a resume keeps it. */
  setOptions(id: string, options: unknown): void {
    this.db.prepare('UPDATE runs SET options = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(options), new Date().toISOString(), id);
  }

  addMetric(run: string, m: MetricRow): void {
    this.metricStmt.run({ run, ...m, at: new Date().toISOString() });
  }

  metrics(run: string): MetricRow[] {
    return this.db.prepare('SELECT kind, step, epoch, loss, top1, top5, lr, images_per_sec FROM run_metrics WHERE run_id = ? ORDER BY id').all(run) as MetricRow[];
  }

  /** Runs left 'running' by a process that no longer exists ended without a word: say so. */
  markInterrupted(isAlive: (pid: number) => boolean): void {
    const stale = (this.db.prepare("SELECT id, pid FROM runs WHERE state = 'running'").all() as { id: string; pid: number | null }[]).filter((r) => r.pid === null || !isAlive(r.pid));
    for (const r of stale) this.setState(r.id, 'failed', { message: 'the trainer process ended without finishing (killed, or the computer restarted); resume continues from the last checkpoint', pid: null });
  }

  /** Metrics after a resume point are replaced by the resumed run's. */
  dropMetricsAfter(run: string, step: number): void {
    this.db.prepare('DELETE FROM run_metrics WHERE run_id = ? AND step > ?').run(run, step);
  }
}

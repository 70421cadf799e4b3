import type { Db, Statement } from '../connection.js';

export type JobState = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface JobRow {
  id: number;
  kind: string;
  state: JobState;
  params: string;
  done: number;
  total: number | null;
  result: string | null;
  error: string | null;
  pid: number | null;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}

export class JobRepo {
  private readonly insertStmt: Statement;
  private readonly progressStmt: Statement;
  private readonly finishStmt: Statement;
  private readonly issueStmt: Statement;
  private readonly issuesStmt: Statement;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      "INSERT INTO jobs (kind, state, params, pid, started_at, updated_at) VALUES (?, 'running', ?, ?, ?, ?)",
    );
    this.progressStmt = db.prepare('UPDATE jobs SET done = ?, total = ?, updated_at = ? WHERE id = ?');
    this.finishStmt = db.prepare(
      'UPDATE jobs SET state = ?, result = ?, error = ?, updated_at = ?, finished_at = ? WHERE id = ?',
    );
    this.issueStmt = db.prepare('INSERT INTO import_issues (job_id, path, reason) VALUES (?, ?, ?)');
    this.issuesStmt = db.prepare('SELECT path, reason FROM import_issues WHERE job_id = ? ORDER BY id');
  }

  start(kind: string, params: unknown): number {
    const now = new Date().toISOString();
    return Number(this.insertStmt.run(kind, JSON.stringify(params ?? {}), process.pid, now, now).lastInsertRowid);
  }

  progress(id: number, done: number, total: number | null): void {
    this.progressStmt.run(done, total, new Date().toISOString(), id);
  }

  finish(id: number, state: Exclude<JobState, 'running'>, result: unknown, error: string | null): void {
    const now = new Date().toISOString();
    this.finishStmt.run(state, result === undefined ? null : JSON.stringify(result), error, now, now, id);
  }

  get(id: number): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  latest(kind: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE kind = ? ORDER BY id DESC LIMIT 1').get(kind) as JobRow | undefined;
  }

  /** Jobs left 'running' by a process that no longer exists were killed: say so. */
  markInterrupted(isAlive: (pid: number) => boolean): number {
    const stale = (this.db.prepare("SELECT id, pid FROM jobs WHERE state = 'running'").all() as { id: number; pid: number | null }[])
      .filter((j) => j.pid === null || !isAlive(j.pid));
    for (const j of stale) this.finish(j.id, 'interrupted', undefined, 'the process running this job ended before it finished');
    return stale.length;
  }

  addIssue(jobId: number, path: string, reason: string): void {
    this.issueStmt.run(jobId, path, reason);
  }

  issues(jobId: number): { path: string; reason: string }[] {
    return this.issuesStmt.all(jobId) as { path: string; reason: string }[];
  }
}

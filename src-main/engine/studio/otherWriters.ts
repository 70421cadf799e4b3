/**
 * Notices edits made by other processes (the CLI, a second studio) while a project is open,
 * so counts and pages refresh without a reload. SQLite's data_version moves only when another
 * connection commits; it is checked every second (a cheap pragma, no file watch that differs
 * per platform), and then a fingerprint of labels, statuses and items tells a relabel from,
 * say, a training run writing its metrics.
 */
import type { Project } from '../project.js';

export function watchOtherWriters(project: Project, onChange: () => void, intervalMs = 1000): () => void {
  let version = project.labels.dataVersion();
  let mark = project.labels.changeMark();
  const timer = setInterval(() => {
    try {
      const now = project.labels.dataVersion();
      if (now === version) return;
      version = now;
      const next = project.labels.changeMark();
      if (next === mark) return;
      mark = next;
      onChange();
    } catch {
      // the project is closing (the timer stops with it) or the database is busy: try again next tick
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

import type { ProjectStats } from '../../shared/types.js';
import type { Project } from '../project.js';

/** The figures `shiwake stats` prints: counts by status, active items per category, broken items. */
export function projectStats(project: Project): ProjectStats {
  const byStatus = project.items.countsByStatus();
  return {
    items: byStatus.active + byStatus.broken + byStatus.excluded + byStatus.missing,
    ...byStatus,
    categories: project.categories.activeCounts().map((c) => ({ name: c.name, count: c.count })),
    broken_items: project.items.broken(),
  };
}

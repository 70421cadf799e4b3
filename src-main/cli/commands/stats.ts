import { projectStats } from '../../engine/dataset/stats.js';
import { jsonOption, projectOption, withProject, type Command } from '../command.js';
import { formatCount, printJson, say } from '../output.js';

export const statsCommand: Command = {
  name: 'stats',
  usage: 'shiwake stats --project <dir> [--json]',
  summary: 'counts by status and per category (active items), and the broken items with reasons',
  options: { ...projectOption, ...jsonOption },
  run(values) {
    return withProject(values, this, (project) => {
      const stats = projectStats(project);
      if (values.json) return printJson(stats);
      say(`${formatCount(stats.items)} items: ${formatCount(stats.active)} active, ${formatCount(stats.excluded)} excluded, ${formatCount(stats.broken)} broken, ${formatCount(stats.missing)} missing`);
      say(`${formatCount(stats.categories.length)} categories:`);
      const width = Math.max(...stats.categories.map((c) => c.name.length), 10);
      for (const c of stats.categories) say(`  ${c.name.padEnd(width)}  ${formatCount(c.count).padStart(9)}`);
      if (stats.broken_items.length > 0) {
        say('broken:');
        for (const b of stats.broken_items) say(`  ${b.path}: ${b.reason}`);
      }
    });
  },
};

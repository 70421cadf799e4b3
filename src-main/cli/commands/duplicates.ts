/** duplicates: exact (same bytes) and near (a run's embeddings) duplicate groups, and leaks across the split. */
import { DEFAULT_THRESHOLD, findDuplicates } from '../../engine/review/duplicates.js';
import { embeddingsOfRun } from '../../engine/review/runEmbeddings.js';
import { jsonOption, optionalNumber, projectOption, withProject, type Command } from '../command.js';
import { formatCount, progressPrinter, say } from '../output.js';

export const duplicatesCommand: Command = {
  name: 'duplicates',
  usage: 'shiwake duplicates --project <dir> [--run <id>] [--threshold t] [--json]',
  summary: "groups of identical files, and of near-identical pictures by a run's embeddings; groups in both train and validation are leaks",
  options: { ...projectOption, ...jsonOption, run: { type: 'string' }, threshold: { type: 'string' } },
  run(values) {
    const threshold = optionalNumber(values, 'threshold', (n) => n > 0 && n <= 1, 'a cosine similarity above 0 and at most 1');
    const json = values.json === true;
    const run = values.run as string | undefined;
    return withProject(values, this, async (project) => {
      const embeddings = run === undefined ? undefined : embeddingsOfRun(project, run);
      const printer = progressPrinter('items', json && !process.stderr.isTTY);
      const report = await findDuplicates(project, { embeddings, threshold, onProgress: printer.update });
      printer.done();
      // one line per group, written as it goes: a reader such as head may stop early
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      if (json) {
        for (const g of report.groups) out(JSON.stringify({ paths: g.paths, similarity: g.similarity, splits: g.splits, leak: g.leak }));
        return 0;
      }
      const leaks = report.groups.filter((g) => g.leak).length;
      say(
        report.near
          ? `${formatCount(report.groups.length)} duplicate groups (identical files, and pictures of cosine similarity >= ${report.threshold} by run ${run}), ${formatCount(leaks)} in both train and validation (leaks)`
          : `${formatCount(report.groups.length)} groups of identical files, ${formatCount(leaks)} in both train and validation (leaks); exact duplicates only: give --run <id> to find near duplicates too (default threshold ${DEFAULT_THRESHOLD})`,
      );
      for (const g of report.groups) {
        say(`${g.leak ? 'leak  ' : ''}${g.kind} ${g.kind === 'near' ? `(similarity ${g.similarity})` : ''}`.trimEnd());
        g.paths.forEach((p, i) => say(`  ${p}  [${g.splits[i] ?? 'no split'}]`));
      }
      return 0;
    });
  },
};

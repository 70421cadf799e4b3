/** duplicates: exact (same bytes) and near (a run's or a backbone's embeddings) duplicate groups, and leaks across the split. */
import { PredictionService } from '../../engine/predict/service.js';
import { DEFAULT_THRESHOLD, findDuplicates } from '../../engine/review/duplicates.js';
import { embedItems, embeddingSource } from '../../engine/review/reviewJob.js';
import { embeddingsOfRun } from '../../engine/review/runEmbeddings.js';
import { cancelOnSignals } from '../cancel.js';
import { backboneArgs, backboneOptions, jsonOption, optionalNumber, projectOption, withProject, type Command } from '../command.js';
import { formatCount, progressPrinter, say } from '../output.js';
import type { Project } from '../../engine/project.js';

/** A backbone's embeddings of every active item, made or brought up to date first; null when cancelled. */
async function embedWithBackbone(project: Project, backbone: string, imageSize: number | undefined, json: boolean): Promise<string | null> {
  const source = embeddingSource(project, undefined, { backbone, imageSize });
  const service = new PredictionService();
  const cancel = cancelOnSignals('stopping: the embeddings made so far are kept');
  const printer = progressPrinter('images', json && !process.stderr.isTTY);
  try {
    const r = await embedItems(project, service, source, project.review.activeItemIds(), { signal: cancel.signal, onProgress: printer.update });
    printer.done();
    return r.cancelled ? null : source.run;
  } finally {
    cancel.dispose();
    service.close();
  }
}

export const duplicatesCommand: Command = {
  name: 'duplicates',
  usage: 'shiwake duplicates --project <dir> [--run <id> | --backbone <folder-or-url> [--image-size S]] [--threshold t] [--json]',
  summary: "groups of identical files, and of near-identical pictures by a run's or a pretrained backbone's embeddings; groups in both train and validation are leaks",
  options: { ...projectOption, ...jsonOption, ...backboneOptions, run: { type: 'string' }, threshold: { type: 'string' } },
  run(values) {
    const threshold = optionalNumber(values, 'threshold', (n) => n > 0 && n <= 1, 'a cosine similarity above 0 and at most 1');
    const json = values.json === true;
    const { backbone, imageSize, ...given } = backboneArgs(values, this);
    return withProject(values, this, async (project) => {
      const run = backbone === undefined ? given.run : await embedWithBackbone(project, backbone, imageSize, json);
      if (run === null) return 130;
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
          ? `${formatCount(report.groups.length)} duplicate groups (identical files, and pictures of cosine similarity >= ${report.threshold} by ${backbone === undefined ? 'run' : 'backbone'} ${backbone ?? run}), ${formatCount(leaks)} in both train and validation (leaks)`
          : `${formatCount(report.groups.length)} groups of identical files, ${formatCount(leaks)} in both train and validation (leaks); exact duplicates only: give --run <id> or --backbone <folder-or-url> to find near duplicates too (default threshold ${DEFAULT_THRESHOLD})`,
      );
      for (const g of report.groups) {
        say(`${g.leak ? 'leak  ' : ''}${g.kind} ${g.kind === 'near' ? `(similarity ${g.similarity})` : ''}`.trimEnd());
        g.paths.forEach((p, i) => say(`  ${p}  [${g.splits[i] ?? 'no split'}]`));
      }
      return 0;
    });
  },
};

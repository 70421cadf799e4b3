import path from 'node:path';
import { importDataset, type ImportSummary } from '../../engine/dataset/importDataset.js';
import { checkImportSource } from '../../engine/dataset/sources.js';
import { cancelOnSignals } from '../cancel.js';
import { Project } from '../../engine/project.js';
import { requireString, jsonOption, projectOption, type Command } from '../command.js';
import { formatCount, printJson, progressPrinter, say, UsageError } from '../output.js';

export const importCommand: Command = {
  name: 'import',
  usage: 'shiwake import <dataset-folder> --project <dir> [--manifest <csv>] [--json]',
  summary: 'import (or re-import) a dataset folder or a path,label CSV manifest into a project',
  options: { ...projectOption, ...jsonOption, manifest: { type: 'string' } },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError(`give exactly one dataset folder\nusage: ${this.usage}`);
    const projectDir = requireString(values, 'project', this);
    const manifest = values.manifest as string | undefined;
    // nothing is created until the source is known to exist (and a manifest to parse)
    const source = await checkImportSource(path.resolve(positionals[0]!), manifest);
    const project = Project.openOrCreate(projectDir, positionals[0]!);
    const cancel = cancelOnSignals('cancelling: finishing the files in flight (press Ctrl+C again to stop at once)');
    const progress = progressPrinter('files', values.json === true);
    try {
      const summary = await importDataset(project, {
        manifest,
        source,
        onProgress: progress.update,
        signal: cancel.signal,
      });
      progress.done();
      if (values.json) printJson(summary);
      else printSummary(summary);
      return summary.state === 'cancelled' ? 130 : 0;
    } finally {
      cancel.dispose();
      project.close();
    }
  },
};

function printSummary(s: ImportSummary): void {
  const verb = s.state === 'cancelled' ? 'Import cancelled' : 'Imported';
  say(`${verb}: ${formatCount(s.files)} files in ${s.seconds.toFixed(1)} s: ${formatCount(s.added)} new, ${formatCount(s.updated)} changed, ${formatCount(s.unchanged)} unchanged, ${formatCount(s.restored)} back, ${formatCount(s.missing)} now missing, ${formatCount(s.broken)} broken.`);
  if (s.ignored > 0) say(`${formatCount(s.ignored)} hidden or system files ignored.`);
  if (s.issues.length > 0) {
    say(`${formatCount(s.issues.length)} files or folders were skipped:`);
    for (const issue of s.issues.slice(0, 20)) say(`  ${issue.path}: ${issue.reason}`);
    if (s.issues.length > 20) say(`  ... and ${formatCount(s.issues.length - 20)} more (shiwake import --json lists them all)`);
  }
  if (s.state === 'cancelled') say('Run the same command again to finish: what was imported is kept.');
}

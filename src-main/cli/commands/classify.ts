/** classify, evaluate and export-model: asking a finished run about files and about the dataset. */
import fs from 'node:fs';
import path from 'node:path';
import { BrowseRepo } from '../../engine/db/repos/browse.js';
import type { Project } from '../../engine/project.js';
import { evaluationReport, exportModel, PredictionService } from '../../engine/predict/service.js';
import type { ClassifyResult, EvaluationReport } from '../../shared/predict.js';
import { jsonOption, optionalNumber, projectOption, withProject, type Command } from '../command.js';
import { cancelOnSignals } from '../cancel.js';
import { formatCount, printJson, progressPrinter, say, UsageError } from '../output.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.bmp']);
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

/** Files as given; folders expanded (recursively, image extensions, hidden files skipped) in sorted order. */
export function expandInputs(inputs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).sort((a, b) => byCodePoint(a.name, b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(full);
    }
  };
  for (const input of inputs) {
    let isDir = false;
    try {
      isDir = fs.statSync(input).isDirectory();
    } catch {
      /* not there: classify reports it on its own line */
    }
    if (isDir) walk(input);
    else out.push(input);
  }
  return out;
}

function bar(p: number, width = 24): string {
  const filled = Math.round(p * width);
  return `${'█'.repeat(filled)}${'·'.repeat(width - filled)}`;
}

function printHuman(r: ClassifyResult): void {
  if (r.error) return say(`${r.file}: cannot classify: ${r.error}`);
  const width = Math.max(...r.top!.map((t) => t.category.length));
  say(`${r.file}${r.item ? `  (in the dataset, labelled ${r.item.label})` : ''}  ${r.ms.toFixed(0)} ms`);
  for (const t of r.top!) say(`  ${t.category.padEnd(width)}  ${bar(t.probability)} ${(t.probability * 100).toFixed(1).padStart(5)}%`);
}

export const classifyCommand: Command = {
  name: 'classify',
  usage: 'shiwake classify --project <dir> [--run <id>] [--top 5] [--json] <file-or-folder>...',
  summary: 'classify image files with a finished run: softmax probabilities of the top categories',
  options: { ...projectOption, ...jsonOption, run: { type: 'string' }, top: { type: 'string' } },
  async run(values, positionals) {
    if (positionals.length === 0) throw new UsageError(`name at least one file or folder\nusage: ${this.usage}`);
    const top = optionalNumber(values, 'top', (n) => Number.isInteger(n) && n >= 1 && n <= 50, 'a whole number from 1 to 50') ?? 5;
    const json = values.json === true;
    return withProject(values, this, async (project) => {
      const files = expandInputs(positionals);
      // a handful of files is answered sooner by one worker than by waiting for every core's to start
      const service = new PredictionService({ maxWorkers: Math.ceil(files.length / 16) });
      const started = performance.now();
      let failed = 0;
      try {
        const run = service.resolve(project, values.run as string | undefined);
        await service.open(project, run);
        // chunks keep the output flowing, in input order, while every worker stays busy
        for (let i = 0; i < files.length; i += 64) {
          const answer = await service.classifyFiles(project, files.slice(i, i + 64).map((file) => ({ file })), { run, top });
          for (const r of answer.results) {
            if (r.error) failed++;
            if (json) printJson(r.error ? { file: r.file, error: r.error } : { file: r.file, top: r.top!.map((t) => ({ category: t.category, probability: t.probability })) });
            else printHuman(r);
          }
          if (!json && i === 0) process.stderr.write(`run ${answer.run.run} (${answer.run.model}, validation top-1 ${pct(answer.run.top1)})\n`);
        }
      } finally {
        service.close();
      }
      if (!json) process.stderr.write(`${formatCount(files.length - failed)} of ${formatCount(files.length)} files classified in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
      return failed > 0 ? 1 : 0;
    });
  },
};

/** The items an evaluation covers: a split and/or a category (with its sub-categories). */
function evaluationItems(project: Project, split: string | undefined, category: string | undefined): number[] {
  let categoryIds: number[] | null = null;
  if (category !== undefined) {
    const all = project.categories.all();
    if (!all.some((c) => c.name === category)) throw new Error(`there is no category "${category}" in this project`);
    categoryIds = all.filter((c) => c.name === category || c.name.startsWith(`${category} > `)).map((c) => c.id);
  }
  const filter = { split: (split ?? 'any') as 'train' | 'validation' | 'any' };
  return new BrowseRepo(project.db).ids(filter, categoryIds);
}

function printReport(r: EvaluationReport, limit: number): void {
  say(`run ${r.run.run} (${r.run.model}): ${formatCount(r.predicted)} of ${formatCount(r.items)} items predicted${r.stale ? `, ${formatCount(r.stale)} relabeled since` : ''}`);
  say(`top-1 ${pct(r.top1)}  top-5 ${pct(r.top5)}${r.level ? `  (rolled up to level ${r.level})` : ''}`);
  const worst = [...r.categories].filter((c) => c.support > 0).sort((a, b) => (a.f1 ?? 0) - (b.f1 ?? 0)).slice(0, limit);
  if (worst.length) {
    say('\nweakest categories (F1):');
    const w = Math.max(...worst.map((c) => c.name.length));
    for (const c of worst) say(`  ${c.name.padEnd(w)}  precision ${pct(c.precision).padStart(6)}  recall ${pct(c.recall).padStart(6)}  F1 ${pct(c.f1).padStart(6)}  support ${formatCount(c.support)}`);
  }
  if (r.pairs.length) {
    say('\nmost confused (labelled -> predicted):');
    for (const p of r.pairs.slice(0, limit)) say(`  ${formatCount(p.count).padStart(6)}  ${pct(p.share).padStart(6)}  ${p.labelled.name} -> ${p.predicted.name}`);
  }
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  usage: 'shiwake evaluate --project <dir> [--run <id>] [--split validation|train|any] [--category "A > B"] [--level N] [--json]',
  summary: 'predict every item of a split or category with a run (stored), then top-1/top-5, per-category figures and the most confused pairs',
  options: { ...projectOption, ...jsonOption, run: { type: 'string' }, split: { type: 'string' }, category: { type: 'string' }, level: { type: 'string' } },
  async run(values) {
    const split = values.split as string | undefined;
    if (split !== undefined && !['train', 'validation', 'any'].includes(split)) throw new UsageError(`--split must be train, validation or any (got "${split}")`);
    const level = optionalNumber(values, 'level', (n) => Number.isInteger(n) && n >= 1, 'a level of the tree from 1');
    const json = values.json === true;
    return withProject(values, this, async (project) => {
      const ids = evaluationItems(project, split, values.category as string | undefined);
      const service = new PredictionService();
      const cancel = cancelOnSignals('stopping: the predictions made so far are kept');
      const printer = progressPrinter('images', json && !process.stderr.isTTY);
      try {
        const r = await service.evaluate(project, values.run as string | undefined, ids, { signal: cancel.signal, onProgress: printer.update });
        printer.done();
        if (r.cancelled) return 130;
        for (const f of r.failed.slice(0, 20)) process.stderr.write(`could not classify ${f.path}: ${f.error}\n`);
        const report = evaluationReport(project, r.run, ids, { level });
        if (json) printJson(report);
        else printReport(report, 10);
        return 0;
      } finally {
        cancel.dispose();
        service.close();
      }
    });
  },
};

export const exportModelCommand: Command = {
  name: 'export-model',
  usage: 'shiwake export-model --project <dir> [--run <id>] --out <dir> [--json]',
  summary: "write a run's model as a TF.js folder with labels.txt, the preprocessing and a README",
  options: { ...projectOption, ...jsonOption, run: { type: 'string' }, out: { type: 'string' } },
  run(values) {
    const out = values.out;
    if (typeof out !== 'string' || out === '') throw new UsageError(`--out is required\nusage: ${this.usage}`);
    return withProject(values, this, (project) => {
      const r = exportModel(project, values.run as string | undefined, out);
      if (values.json === true) printJson(r);
      else say(`model written to ${r.out}: ${r.files.join(', ')}`);
    });
  },
};

/**
 * Training at a level of the category tree (issue 13): a generated nested tree whose leaves
 * are twins (the same picture kind) and whose top levels differ. Rolled-up label counts are
 * exact; a run trained at level 1 stores its level, name and rolled-up labels; evaluate judges
 * a rolled-up prediction against the item's label rolled up to the same level (never the
 * leaf); the TensorBoard files carry the same epoch tags in train/ and validation/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Project } from '../../src-main/engine/project.js';
import { BrowseRepo } from '../../src-main/engine/db/repos/browse.js';
import { LabelMap, rollUp } from '../../src-main/engine/predict/labelMap.js';
import { evaluationReport } from '../../src-main/engine/predict/service.js';
import { readRecords } from '../../src-main/engine/tfrecord/record.js';
import { readScalarEvents } from '../../src-main/engine/train/events.js';
import { effectiveLevel, rollUpLabels } from '../../src-main/engine/train/levels.js';
import { samplesFor } from '../../src-main/engine/train/trainer.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { writePatterns, type PatternKind } from '../fixtures/patterns.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');

// folder -> [picture kind, items]: twins under Across and Down, a leaf at depth 1 (Centre)
const TREE: Record<string, [PatternKind, number]> = {
  'Across/Big/One': ['across', 7],
  'Across/Big/Two': ['across', 5],
  'Across/Small': ['across', 6],
  'Down/X/One': ['down', 8],
  'Down/X/Two': ['down', 4],
  Centre: ['centre', 9],
};

beforeAll(async () => {
  let seed = 0;
  for (const [folder, [kind, n]] of Object.entries(TREE)) {
    await writePatterns(root, folder, kind, n, seed);
    seed += n;
  }
  shiwakeJson(['import', root, '--project', projectDir]);
  shiwakeJson(['split', '--project', projectDir, '--validation', '0.25', '--seed', '7']);
});

function counts(labels: string[], samples: { label: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) out[labels[s.label]!] = (out[labels[s.label]!] ?? 0) + 1;
  return out;
}

describe('labels rolled up to a level of the tree', () => {
  it('count exactly at every level, without relabelling anything', async () => {
    const project = Project.open(projectDir);
    try {
      const expected = (level: number | undefined): Record<string, number> => {
        const out: Record<string, number> = {};
        for (const [folder, [, n]] of Object.entries(TREE)) {
          const name = rollUp(folder.split('/').join(' > '), level ?? null);
          out[name] = (out[name] ?? 0) + n;
        }
        return out;
      };
      for (const level of [undefined, 1, 2, 3, 9]) {
        const s = await samplesFor(project, level);
        expect(counts(s.labels, [...s.train, ...s.validation]), `level ${level}`).toEqual(expected(level));
        expect(s.labels).toEqual(Object.keys(expected(level)).sort());
      }
      const one = await samplesFor(project, 1);
      expect(one.labels).toEqual(['Across', 'Centre', 'Down']);
      expect(counts(one.labels, [...one.train, ...one.validation])).toEqual({ Across: 18, Centre: 9, Down: 12 });
      // nothing was relabelled: the items keep their leaves
      expect(project.categories.activeCounts().map((c) => [c.name, c.count])).toEqual(Object.entries(TREE).map(([f, [, n]]) => [f.split('/').join(' > '), n]).sort());
    } finally {
      project.close();
    }
  });

  it('refuses a level that is not a whole number from 1, and judges a run at its own level or above', () => {
    expect(() => rollUpLabels(['A > B'], 0)).toThrow(/level must be a whole number from 1/);
    expect(effectiveLevel(undefined, 2)).toBe(2);
    expect(effectiveLevel(3, 2)).toBe(2);
    expect(effectiveLevel(1, 2)).toBe(1);
    expect(effectiveLevel(null, null)).toBe(null);
    expect(effectiveLevel(2, null)).toBe(2);
  });
});

describe('a run trained at level 1', () => {
  let summary: { run: string; model_dir: string; level: number; batch_size: number; effective_batch: number; batch_probe: null };

  beforeAll(() => {
    const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '16', '--batch-size', '8', '--epochs', '4', '--learning-rate', '0.003', '--seed', '3', '--level', '1', '--name', 'coarse: top level', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    summary = JSON.parse(lines[lines.length - 1]!);
  }, 120_000);

  it('keeps the last JSON line\'s fields and adds level, batch_size and effective_batch', () => {
    expect(Object.keys(summary).sort()).toEqual(['backend', 'batch_probe', 'batch_size', 'effective_batch', 'level', 'mode', 'model_dir', 'run', 'state', 'top1', 'top5']);
    expect(summary).toMatchObject({ state: 'done', level: 1, batch_size: 8, effective_batch: 8, batch_probe: null });
  });

  it('stores its level, its name and the rolled-up labels', () => {
    expect(JSON.parse(fs.readFileSync(path.join(summary.model_dir, 'labels.json'), 'utf8'))).toEqual(['Across', 'Centre', 'Down']);
    expect(JSON.parse(fs.readFileSync(path.join(summary.model_dir, 'training.json'), 'utf8'))).toMatchObject({ level: 1 });
    const runs = shiwakeJson(['runs', '--project', projectDir]);
    expect(runs[0]).toMatchObject({ run: summary.run, name: 'coarse: top level', note: null, options: { level: 1 } });
    expect(shiwake(['runs', '--project', projectDir]).stdout).toMatch(/"coarse: top level".* level 1 /);
    const project = Project.open(projectDir);
    try {
      expect(project.runs.annotate(summary.run, { note: '  twins merged  ' })).toMatchObject({ name: 'coarse: top level', note: 'twins merged' });
      expect(project.runs.annotate(summary.run, { name: '' })).toMatchObject({ name: null, note: 'twins merged' });
      expect(() => project.runs.annotate('nope', { name: 'x' })).toThrow(/there is no run "nope"/);
      project.runs.annotate(summary.run, { name: 'coarse: top level' });
    } finally {
      project.close();
    }
  });

  it('evaluates a rolled-up prediction against the label rolled up to the same level', () => {
    const report = shiwakeJson(['evaluate', '--project', projectDir, '--split', 'any']);
    expect(report.level).toBe(1);
    expect(report.categories.map((c: { name: string }) => c.name)).toEqual(['Across', 'Centre', 'Down']);
    expect(report.categories.map((c: { support: number }) => c.support)).toEqual([18, 9, 12]);
    const project = Project.open(projectDir);
    try {
      // the same figure counted here from the stored predictions: the top guess against the item's leaf rolled up to level 1
      const names = new Map(project.categories.all().map((c) => [c.id, c.name]));
      const ids = new BrowseRepo(project.db).ids({ split: 'any' }, null);
      const rows = project.predictions.forItems(summary.run, ids);
      expect(rows).toHaveLength(39);
      const agree = rows.filter((r) => names.get(r.top1) === rollUp(names.get(r.category_id)!, 1)).length;
      expect(report.top1).toBeCloseTo(agree / rows.length, 10);
      expect(report.top1).toBeGreaterThan(0.6); // judged at the leaves it would be 0: no leaf is called "Across"
      // the model's output for an item's label (its label probability, the review's input) is that of its rolled-up category
      const map = new LabelMap(project, ['Across', 'Centre', 'Down'], 1);
      expect(['Across > Big > One', 'Centre', 'Down > X > Two'].map((n) => map.indexOf(map.idOfName.get(n)!))).toEqual([0, 1, 2]);
      // Browse's "misclassified" filter agrees: an item whose ancestor at level 1 was predicted is not misclassified
      const browse = new BrowseRepo(project.db);
      const wrong = browse.count({ split: 'any', prediction: { run: summary.run, misclassified: true } }, null);
      expect(wrong).toBe(rows.length - agree);
      // and the disagreement sort puts exactly those first (not every item whose leaf differs from the guess)
      const sorted = browse.page({ split: 'any', prediction: { run: summary.run }, sort: 'disagreement' }, null, 0, rows.length);
      const wrongIds = new Set(browse.page({ split: 'any', prediction: { run: summary.run, misclassified: true } }, null, 0, rows.length).map((r) => r.id));
      expect(new Set(sorted.slice(0, wrong).map((r) => r.id))).toEqual(wrongIds);
      // the right ones follow, least sure first
      const sure = sorted.slice(wrong).map((r) => r.predProb!);
      expect(sure).toEqual([...sure].sort((a, b) => a - b));
      expect(sure[0]).toBeLessThan(sure[sure.length - 1]!);
      // a finer level than the run's is judged at the run's level
      expect(evaluationReport(project, summary.run, ids, { level: 3 })).toMatchObject({ level: 1, top1: report.top1 });
    } finally {
      project.close();
    }
  });

  it('reviews in the categories of its level: the classes and suggestions are the rolled-up categories', () => {
    const r = shiwake(['review', '--project', projectDir, '--run', summary.run, '--method', 'knn', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const project = Project.open(projectDir);
    try {
      const names = new Map(project.categories.all().map((c) => [c.id, c.name]));
      const details = JSON.parse(project.review.meta(summary.run)!.details) as { categories: { id: number; items: number }[] };
      expect(Object.fromEntries(details.categories.map((c) => [names.get(c.id), c.items]))).toEqual({ Across: 18, Centre: 9, Down: 12 });
      const queue = project.review.queue(summary.run, null, null, 0, 100);
      for (const q of queue) expect(['Across', 'Centre', 'Down']).toContain(names.get(q.suggested)); // a suspected item's suggestion, if any
    } finally {
      project.close();
    }
  });

  it('writes epoch_loss and epoch_accuracy in both train/ and validation/, per epoch, for the project\'s own reader', () => {
    const runDir = path.dirname(summary.model_dir);
    const epochTags = (sub: string): Map<number, string[]> => {
      const file = fs.readdirSync(path.join(runDir, sub)).find((f) => f.startsWith('events.out.tfevents.'))!;
      const events = readScalarEvents(readRecords(fs.readFileSync(path.join(runDir, sub, file)), file));
      const out = new Map<number, string[]>();
      for (const e of events) {
        const tags = Object.keys(e.values).filter((t) => t.startsWith('epoch_'));
        if (tags.length) out.set(e.step, tags.sort());
        for (const v of Object.values(e.values)) expect(Number.isFinite(v)).toBe(true);
      }
      return out;
    };
    const train = epochTags('train');
    const validation = epochTags('validation');
    expect([...train.keys()]).toEqual([1, 2, 3, 4]);
    expect([...validation.keys()]).toEqual([1, 2, 3, 4]);
    for (const step of [1, 2, 3, 4]) {
      expect(train.get(step)).toEqual(['epoch_accuracy', 'epoch_loss', 'epoch_top3']);
      expect(validation.get(step)).toEqual(train.get(step));
    }
  });
});

describe('a run with gradient accumulation', () => {
  it('steps once every K batches at the rate scaled by K, and says so in the last JSON line', () => {
    const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '16', '--batch-size', '4', '--accumulate', '3', '--epochs', '1', '--learning-rate', '0.002', '--schedule', 'constant', '--log-every', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[lines.length - 1]).toMatchObject({ state: 'done', level: null, batch_size: 4, effective_batch: 12 });
    const steps = lines.filter((l) => l.type === 'step');
    expect(steps.length).toBeGreaterThan(3);
    for (const s of steps) expect(s.lr).toBeCloseTo(0.006, 9);
    expect(shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--accumulate', '0']).stderr).toMatch(/--accumulate must be a whole number of batches per step \(got "0"\)/);
  }, 120_000);
});

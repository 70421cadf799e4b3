/**
 * The review and the near-duplicate search with a pretrained backbone instead of a trained
 * run: tiny TF.js models with seeded weights (no download, no training) given as a folder or
 * served by URL. Five colours with four labels flipped on purpose: the flipped items are the
 * only suspects (margin: each flipped item scores at least 0.5 above every other item; measured
 * 1.00 against at most 0.07). A second review embeds nothing new; the pseudo-run stays out of
 * the runs list and cannot classify.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PredictionService } from '../../src-main/engine/predict/service.js';
import { Project } from '../../src-main/engine/project.js';
import { runReview } from '../../src-main/engine/review/reviewJob.js';
import { Studio } from '../../src-main/engine/studio/studio.js';
import { patternImage, resizedCopy, serveFolder, writeBackbones } from '../fixtures/backbones.js';
import { shiwake, shiwakeJson, spawnShiwake, type CliResult } from '../fixtures/cli.js';
import { FIVE_COLOURS, writeFlippedColours } from '../fixtures/flipped.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
const COLOURS = FIVE_COLOURS;
const flipped: string[] = [];
let backbones: { fixed: string; anySize: string };
const pseudoRun = (location: string): string => `backbone-${createHash('sha256').update(location).digest('hex').slice(0, 8)}`;

/** The CLI without blocking this process: the URL test's server answers from here. */
function shiwakeAsync(args: string[]): Promise<CliResult> {
  const child = spawnShiwake(args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const lines = (r: CliResult): { path: string; label: string; suggested: string; score: number }[] => r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

beforeAll(async () => {
  backbones = await writeBackbones(path.join(tmp, 'models'));
  flipped.push(...(await writeFlippedColours(root, COLOURS)));
  shiwakeJson(['import', root, '--project', projectDir]);
});

describe('shiwake review --backbone', () => {
  it('ranks the flipped labels first from a backbone folder, with the usual fields', async () => {
    const r = await shiwakeAsync(['review', '--project', projectDir, '--backbone', backbones.fixed, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r);
    expect(flipped).toHaveLength(4);
    expect(out.map((l) => l.path).sort()).toEqual([...flipped].sort());
    for (const l of out) expect(Object.keys(l)).toEqual(['path', 'label', 'suggested', 'score']);
    // the margin: every flipped item against the best-scored of the others
    const p = Project.open(projectDir);
    try {
      const run = pseudoRun(backbones.fixed);
      const scores = p.items.activeIds().map((id) => ({ path: p.items.get(id)!.path, score: p.review.scoreOf(run, id)!.score }));
      const worstFlipped = Math.min(...scores.filter((s) => flipped.includes(s.path)).map((s) => s.score));
      const bestOther = Math.max(...scores.filter((s) => !flipped.includes(s.path)).map((s) => s.score));
      console.log(`backbone review margin: flipped >= ${worstFlipped.toFixed(3)}, others <= ${bestOther.toFixed(3)}`);
      expect(worstFlipped - bestOther).toBeGreaterThan(0.5);
    } finally {
      p.close();
    }
  }, 240_000);

  it('records the backbone as a pseudo-run once; a second review embeds no item again', async () => {
    const p = Project.open(projectDir);
    const service = new PredictionService();
    try {
      const run = pseudoRun(backbones.fixed);
      expect(p.runs.get(run)).toMatchObject({ model: 'backbone', state: 'done', name: 'small-cnn-16' });
      expect(p.runs.get(run)!.note).toMatch(/backbone.*review/);
      expect(JSON.parse(p.runs.get(run)!.options)).toEqual({ location: backbones.fixed, imageSize: 16 });
      const again = await runReview(p, service, undefined, { backbone: path.join(backbones.fixed, 'model.json') });
      expect(again).toMatchObject({ run, embedded: 0, suspected: 4 });
      // named by its pseudo-run (the studio's "Score again"): the stored location is used
      expect(await runReview(p, service, run)).toMatchObject({ run, embedded: 0, suspected: 4 });
    } finally {
      service.close();
      p.close();
    }
  }, 240_000);

  it('loads a backbone from a URL (model.json and its weights over HTTP)', async () => {
    const server = await serveFolder(backbones.fixed);
    try {
      const r = await shiwakeAsync(['review', '--project', projectDir, '--backbone', server.url, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(lines(r).map((l) => l.path).sort()).toEqual([...flipped].sort());
      expect(server.requests).toContain('model.json');
      expect(server.requests).toContain('weights.bin');
    } finally {
      await server.close();
    }
    const p = Project.open(projectDir);
    try {
      expect(p.runs.get(pseudoRun(server.url))).toMatchObject({ model: 'backbone', name: server.url });
    } finally {
      p.close();
    }
  }, 240_000);

  it('keeps the pseudo-runs out of the runs list, classify, evaluate and resume', async () => {
    const run = pseudoRun(backbones.fixed);
    expect(shiwakeJson(['runs', '--project', projectDir])).toEqual([]);
    const file = path.join(root, flipped[0]!);
    const named = shiwake(['classify', '--project', projectDir, '--run', run, file]);
    expect(named.code).toBe(1);
    expect(named.stderr.trim()).toBe(`shiwake: error: ${run} holds a backbone's embeddings for review, not a trained classifier`);
    // the latest finished run is a trained one: a backbone is never chosen for classifying
    const latest = shiwake(['classify', '--project', projectDir, file]);
    expect(latest.code).toBe(1);
    expect(latest.stderr).toMatch(/no finished training run/);
    expect(shiwake(['evaluate', '--project', projectDir, '--run', run]).stderr).toMatch(/not a trained classifier/);
    expect(shiwake(['train', '--project', projectDir, '--resume', run]).stderr).toMatch(/not a trained classifier/);
    const studio = new Studio({ mode: 'browser', version: 'test' }, () => {});
    await studio.openProject(projectDir);
    try {
      const list = async (args: object): Promise<{ run: string; model: string }[]> => {
        const r = await studio.handle('runs.list', args);
        if (!r.ok) throw new Error(r.error);
        return r.value as { run: string; model: string }[];
      };
      expect(await list({})).toEqual([]);
      expect((await list({ backbones: true })).map((r) => r.model)).toEqual(['backbone', 'backbone']);
    } finally {
      await studio.closeProject();
    }
  }, 120_000);

  it('says what is wrong: --run with --backbone, a folder without a model, a model without a fixed size', async () => {
    const both = shiwake(['review', '--project', projectDir, '--run', 'x', '--backbone', backbones.fixed]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--run and --backbone are exclusive/);
    const empty = shiwake(['review', '--project', projectDir, '--backbone', root]);
    expect(empty.code).toBe(1);
    expect(empty.stderr.trim()).toBe(`shiwake: error: ${root} holds no TensorFlow.js model (model.json is missing)`);
    const anySize = await shiwakeAsync(['review', '--project', projectDir, '--backbone', backbones.anySize]);
    expect(anySize.code).toBe(1);
    expect(anySize.stderr).toMatch(/has no fixed input size: give one with --image-size/);
  }, 240_000);
});

describe('shiwake duplicates --backbone', () => {
  it('groups a picture with its resized, re-encoded copy and nothing else', async () => {
    const data = path.join(tmp, 'patterns');
    const dir = path.join(tmp, 'patterns-project');
    for (const c of ['A', 'B']) fs.mkdirSync(path.join(data, c), { recursive: true });
    // five pictures unlike each other (cosine at most 0.89 by this backbone) and one copy (0.998)
    for (const i of [0, 1, 2, 5, 7]) fs.writeFileSync(path.join(data, i % 2 ? 'A' : 'B', `p${i}.png`), await patternImage(i));
    fs.writeFileSync(path.join(data, 'A', 'copy-of-p2.jpg'), await resizedCopy(await patternImage(2)));
    shiwakeJson(['import', data, '--project', dir]);
    const r = await shiwakeAsync(['duplicates', '--project', dir, '--backbone', backbones.anySize, '--image-size', '32', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const groups = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(groups).toHaveLength(1);
    expect(Object.keys(groups[0])).toEqual(['paths', 'similarity', 'splits', 'leak']);
    expect(groups[0].paths).toEqual(['A/copy-of-p2.jpg', 'B/p2.png']);
    expect(groups[0].similarity).toBeGreaterThan(0.99);
  }, 240_000);
});

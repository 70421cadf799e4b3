/**
 * The review end to end on a real (tiny) run: five colours with four labels flipped on
 * purpose; the flipped items rank first, kept and accepted decisions persist across restarts
 * and are undoable, and both the K-fold heads and kNN find them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Studio } from '../../src-main/engine/studio/studio.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { FIVE_COLOURS, writeFlippedColours } from '../fixtures/flipped.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
const COLOURS = FIVE_COLOURS;
const flipped: string[] = [];
let run: string;

beforeAll(async () => {
  flipped.push(...(await writeFlippedColours(root, COLOURS)));
  shiwakeJson(['import', root, '--project', projectDir]);
  shiwakeJson(['split', '--project', projectDir]);
  const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '8', '--epochs', '3', '--batch-size', '8', '--learning-rate', '0.01', '--seed', '2', '--json']);
  expect(r.code, r.stderr).toBe(0);
  run = JSON.parse(r.stdout.trim().split('\n').at(-1)!).run;
});

async function waitFor(check: () => boolean, ms = 120_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('shiwake review', () => {
  it('ranks the flipped labels first, one JSON line each with the exact fields', () => {
    const r = shiwake(['review', '--project', projectDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(flipped).toHaveLength(4);
    expect(lines.slice(0, 4).map((l) => l.path).sort()).toEqual([...flipped].sort());
    for (const l of lines) expect(Object.keys(l)).toEqual(['path', 'label', 'suggested', 'score']);
    const first = lines[0];
    expect(first.suggested).not.toBe(first.label);
    expect(first.score).toBeGreaterThan(0.5);
    const scores = lines.map((l) => l.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });
});

describe('the review queue in the studio engine', () => {
  const open = async (events: { event: string; payload: any }[] = []) => {
    const studio = new Studio({ mode: 'browser', version: 'test' }, (event, payload) => events.push({ event, payload }));
    await studio.openProject(projectDir);
    const call = async (method: string, args: unknown): Promise<any> => {
      const r = await studio.handle(method as never, args);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
    return { studio, call };
  };

  it('keeps and accepts with undo, remembered across a restart', async () => {
    let { studio, call } = await open();
    const q = await call('review.queue', { run, offset: 0, limit: 10 });
    expect(q.total).toBe(4);
    expect(q.suspected).toBe(4);
    const [a, b] = q.items;
    await call('review.keep', { ids: [a.id] });
    expect((await call('review.queue', { run, offset: 0, limit: 10 })).total).toBe(3);
    await studio.closeProject();
    ({ studio, call } = await open());
    try {
      const again = await call('review.queue', { run, offset: 0, limit: 10 });
      expect(again).toMatchObject({ total: 3, reviewed: 1 });
      expect(again.items.map((i: { id: number }) => i.id)).not.toContain(a.id);
      // accepting the suggestion is a relabel: the item leaves the queue; undo brings it back
      await call('labels.move', { selection: { ids: [b.id] }, category: b.suggested.name });
      expect((await call('review.queue', { run, offset: 0, limit: 10 })).total).toBe(2);
      await call('labels.undo', {});
      expect((await call('review.queue', { run, offset: 0, limit: 10 })).total).toBe(3);
      await call('labels.undo', {}); // the keep
      expect((await call('review.queue', { run, offset: 0, limit: 10 })).total).toBe(4);
      const neighbours = await call('review.neighbours', { run, id: b.id, k: 3 });
      expect(neighbours.labelled).toHaveLength(3);
      expect(neighbours.suggested).toHaveLength(3);
      expect(neighbours.suggested.every((i: { categoryId: number }) => i.categoryId === b.suggested.id)).toBe(true);
      const summary = await call('review.summary', { run });
      expect(summary).toHaveLength(5);
      expect(summary.reduce((s: number, c: { estimatedErrors: number }) => s + c.estimatedErrors, 0)).toBeGreaterThan(2);
    } finally {
      await studio.closeProject();
    }
  });

  it('the kNN estimate finds the flipped labels too', async () => {
    const events: { event: string; payload: any }[] = [];
    const { studio, call } = await open(events);
    try {
      const { job } = await call('review.start', { run, method: 'knn' });
      await waitFor(() => events.some((e) => e.event === 'onJobDone' && e.payload.id === job));
      const done = events.find((e) => e.event === 'onJobDone' && e.payload.id === job)!.payload;
      expect(done.state, done.message).toBe('done');
      const q = await call('review.queue', { run, offset: 0, limit: 4 });
      const found = q.items.filter((i: { path: string }) => flipped.includes(i.path));
      expect(found.length).toBeGreaterThanOrEqual(3);
    } finally {
      await studio.closeProject();
    }
  });
});

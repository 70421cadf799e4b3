/**
 * Resume right after Stop (issue 9): a stopped trainer writes `stopped` to the project a moment
 * before its process ends, and the runs table offers Resume as soon as it reads that state. The
 * click must wait for the old trainer to exit, not fail with "a training run is already going".
 * The trainer here is a stand-in process that writes its state as the real one does, with a
 * slow exit; the real trainer's resume is covered by train.test.ts and the Train view's e2e test.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Project } from '../../src-main/engine/project.js';
import type { Launcher } from '../../src-main/engine/train/runner.js';
import { Studio } from '../../src-main/engine/studio/studio.js';
import { writeImage } from '../fixtures/images.js';
import { shiwakeJson } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/tmp.js';

/** writes `running`, and on stop `stopped`, then says `done` only after `exitDelayMs` */
function slowExitLauncher(exitDelayMs: number): Launcher {
  return () => {
    let onMessage: (m: unknown) => void = () => {};
    let started: { projectDir: string; run: string } | null = null;
    const setState = (state: 'running' | 'stopped'): void => {
      const db = Project.open(started!.projectDir);
      try {
        db.runs.setState(started!.run, state, { pid: state === 'running' ? process.pid : null });
      } finally {
        db.close();
      }
    };
    return {
      send(m) {
        const msg = m as { type: string; projectDir: string; run: string };
        if (msg.type === 'start') {
          started = msg;
          setState('running');
        }
        if (msg.type === 'stop') {
          setState('stopped');
          setTimeout(() => onMessage({ type: 'done', run: started!.run, state: 'stopped', top1: null, top5: null }), exitDelayMs);
        }
      },
      onMessage: (fn) => void (onMessage = fn),
      onExit: () => {},
      kill: () => {},
    };
  };
}

describe('Resume right after Stop in the studio', () => {
  it('waits for the stopped trainer to exit instead of refusing', async () => {
    const tmp = tempDir();
    const projectDir = path.join(tmp, 'project');
    for (let i = 0; i < 2; i++) await writeImage(path.join(tmp, 'data', 'A', `${i}.png`), { format: 'png', seed: i, width: 8, height: 8 });
    shiwakeJson(['import', path.join(tmp, 'data'), '--project', projectDir]);
    const studio = new Studio({ mode: 'browser', version: 'test', launchTrainer: slowExitLauncher(400) }, () => {});
    await studio.openProject(projectDir);
    try {
      const started = await studio.handle('train.start', { model: 'small-cnn', epochs: 1 });
      expect(started.ok).toBe(true);
      const run = (started as { value: { run: string } }).value.run;

      // a second start while the run really goes is refused
      const refused = await studio.handle('train.start', { model: 'small-cnn', epochs: 1 });
      expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('a training run is already going') });

      await studio.handle('train.stop', { run });
      expect(studio.current!.runs.get(run)!.state).toBe('stopped'); // what the runs table shows: Resume is offered
      expect(await studio.handle('train.resume', { run })).toEqual({ ok: true, value: { run } });
    } finally {
      await studio.handle('train.stop', { run: studio.current!.runs.all()[0]!.id });
      await studio.closeProject();
    }
  });
});

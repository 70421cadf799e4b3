/** Training runs: the backend, start/stop/resume, the runs table and their metrics. */
import type { RunSummary } from '../../../shared/contract.js';
import type { TrainOptions } from '../../../shared/training.js';
import type { Project } from '../../project.js';
import type { RunRow } from '../../db/repos/runs.js';
import { trainedRuns } from '../../predict/backbone.js';
import { startTrainer, type TrainerHandle } from '../../train/runner.js';
import { probeBackend } from '../../train/probe.js';
import { inspectBackbone } from '../../train/inspectBackbone.js';
import type { AreaHandlers, StudioContext } from '../context.js';

/** how long a start waits for a trainer that has saved its stopped state to exit */
const STOPPING_TRAINER_GRACE_MS = 30_000;

type TrainMethods = 'train.backend' | 'train.inspectBackbone' | 'train.start' | 'train.stop' | 'train.resume' | 'runs.list' | 'runs.metrics' | 'runs.annotate';

export function runSummary(r: RunRow): RunSummary {
  return {
    run: r.id, model: r.model, state: r.state, backend: r.backend, epoch: r.epoch, step: r.step, totalSteps: r.total_steps,
    top1: r.top1, top5: r.top5, message: r.message, createdAt: r.created_at, options: JSON.parse(r.options) as Record<string, unknown>,
    name: r.name, note: r.note,
  };
}

export function trainArea(ctx: StudioContext): AreaHandlers<TrainMethods> {
  const trainers = new Map<string, TrainerHandle>();
  ctx.onClose(async () => {
    for (const t of trainers.values()) t.stop();
    await Promise.all([...trainers.values()].map((t) => t.finished));
  });
  const startTraining = async (options: TrainOptions, resume?: string): Promise<string> => {
    const { project } = ctx.need();
    await settleStoppedTrainers(project);
    if (trainers.size > 0) throw new Error('a training run is already going: stop it first (one run at a time keeps the machine responsive)');
    const handle = startTrainer(project, options, (e) => ctx.emit('onTrainEvent', e), resume, ctx.options.launchTrainer);
    trainers.set(handle.run, handle);
    void handle.finished.then(() => {
      trainers.delete(handle.run);
      ctx.trainingDone(handle.run);
    });
    return handle.run;
  };
  /**
   * A stopped trainer writes its last state to the project before its process ends, so the runs
   * table can offer Resume a moment before the handle is gone: wait for such a trainer to exit
   * rather than refuse the click. A trainer whose run still says `running` is really going.
   */
  const settleStoppedTrainers = async (project: Project): Promise<void> => {
    for (const [run, t] of [...trainers]) {
      if (project.runs.get(run)?.state === 'running') continue;
      await Promise.race([t.finished, new Promise((r) => setTimeout(r, STOPPING_TRAINER_GRACE_MS).unref())]);
    }
  };
  return {
    'train.backend': async () => {
      const info = await probeBackend(); // in a child process: the engine never loads TensorFlow.js
      return { name: info.name, label: info.label, faster: info.faster };
    },
    'train.inspectBackbone': (a) => inspectBackbone(a.location), // in a child process, as the backend probe
    'train.start': async (a) => ({ run: await startTraining(a) }),
    'train.resume': async (a) => ({ run: await startTraining({ model: 'small-cnn' }, a.run) }),
    'train.stop': (a) => {
      const handle = trainers.get(a.run);
      handle?.stop();
      return handle !== undefined;
    },
    // the backbones' pseudo-runs (review embeddings, no model) only where asked: Review and Duplicates
    'runs.list': (a) => (a.backbones ? ctx.need().project.runs.all() : trainedRuns(ctx.need().project)).map(runSummary),
    'runs.metrics': (a) => ctx.need().project.runs.metrics(a.run),
    'runs.annotate': (a) => runSummary(ctx.need().project.runs.annotate(a.run, { name: a.name, note: a.note })),
  };
}

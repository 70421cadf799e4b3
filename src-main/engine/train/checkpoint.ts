/**
 * A run's checkpoint (`runs/<run>/checkpoint`): the model, the optimizer's state, where the
 * loop was (epoch, step, step in epoch) and the label list the model's outputs stand for.
 * Restoring it gives back exactly those weights, BatchNorm moving statistics included, so a
 * resumed run continues the one that stopped rather than a slightly different one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { replaceDir } from '../files.js';
import { loadModel, loadOptimizer, saveModel, saveOptimizer } from './modelIO.js';
import { tf } from './tf.js';

export interface CheckpointState {
  epoch: number;
  step: number;
  stepInEpoch: number;
  /** label k is output k; absent in checkpoints written before labels were stored */
  labels?: string[];
}

/** A resume that must not happen; the run keeps the state it had (it did not fail). */
export class ResumeRefused extends Error {}

export function readCheckpointState(dir: string): CheckpointState | null {
  const file = path.join(dir, 'state.json');
  if (!fs.existsSync(path.join(dir, 'model.json')) || !fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CheckpointState;
}

/** Written to a temporary folder renamed when complete: a checkpoint is whole or absent. */
export async function writeCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: CheckpointState): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await saveModel(model, tmp, { 'state.json': state });
  await saveOptimizer(optimizer, tmp);
  replaceDir(tmp, dir);
}

/**
 * Loads the model and fills `optimizer` with the saved state. An optimizer creates its slots
 * on its first step, so one step with a zero loss runs first; that forward pass is in
 * training mode, which moves BatchNorm's moving mean and variance, so every weight is put
 * back afterwards.
 */
export async function restoreCheckpoint(dir: string, optimizer: tf.Optimizer): Promise<{ model: tf.LayersModel; state: CheckpointState }> {
  const state = readCheckpointState(dir);
  if (!state) throw new Error(`there is no checkpoint in ${dir}`);
  const model = await loadModel(dir);
  const size = model.inputs[0]!.shape[1] as number;
  const saved = model.getWeights().map((w) => w.clone());
  await tf.nextFrame();
  tf.tidy(() => {
    const warm = tf.zeros([1, size, size, 3]);
    optimizer.minimize(() => {
      const out = model.apply(warm, { training: true }) as tf.Tensor | tf.Tensor[];
      return tf.mul(tf.sum(Array.isArray(out) ? out[0]! : out), 0) as tf.Scalar;
    }, false);
  });
  model.setWeights(saved);
  saved.forEach((w) => w.dispose());
  await loadOptimizer(optimizer, dir);
  return { model, state };
}

/**
 * Why the checkpoint's labels cannot go on with today's, or null when they can: outputs are
 * numbered by label name, so another set (or order) would train on shifted labels.
 */
export function labelMismatch(stored: readonly string[] | undefined, outputs: number, now: readonly string[]): string | null {
  if (!stored) return outputs === now.length ? null : `the model has ${outputs} outputs but there are ${now.length} categories now`;
  if (stored.length === now.length && stored.every((l, i) => l === now[i])) return null;
  const before = new Set(stored);
  const after = new Set(now);
  const list = (names: string[]): string => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));
  const added = now.filter((l) => !before.has(l));
  const removed = stored.filter((l) => !after.has(l));
  const parts = [added.length ? `new: ${list(added)}` : '', removed.length ? `gone: ${list(removed)}` : ''].filter(Boolean);
  return `the categories changed since its checkpoint (${parts.length ? parts.join('; ') : 'same names, numbered in another order'})`;
}

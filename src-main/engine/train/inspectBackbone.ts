/**
 * The studio's backbone "check": a child process (inspectProcess.ts) loads the model and
 * answers, so the engine process never loads TensorFlow.js (as probe.ts does for backends).
 */
import path from 'node:path';
import type { BackboneInfo } from '../../shared/transfer.js';
import { askChild } from './childEntry.js';

const TIMEOUT_MS = 120_000;

export function inspectBackbone(location: string): Promise<BackboneInfo> {
  // a URL as given; a folder (or its model.json) made absolute, so the child reads what the user meant
  const where = /^https?:\/\//.test(location) ? location : path.resolve(location);
  return askChild<BackboneInfo>('inspectProcess.ts', {
    what: 'the backbone check',
    message: { location: where },
    timeoutMs: TIMEOUT_MS,
    timeoutError: `checking the backbone at ${where} took over ${TIMEOUT_MS / 1000} s (a slow URL?)`,
  });
}

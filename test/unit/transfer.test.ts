/** A run's mode and the transfer options that cannot go together (issue 13), as the CLI, the trainer and the studio read them. */
import { describe, expect, it } from 'vitest';
import { trainingMode, transferProblem } from '../../src-main/shared/transfer.js';

describe('transfer learning options', () => {
  it('names the mode of every kind of run from its stored options', () => {
    expect(trainingMode({})).toBe('from scratch');
    expect(trainingMode({ fineTuneLayers: 3 })).toBe('from scratch'); // nothing to fine-tune without a backbone
    expect(trainingMode({ backbone: '/m' })).toBe('frozen backbone');
    expect(trainingMode({ backbone: '/m', fineTuneLayers: 0, cacheFeatures: true })).toBe('frozen backbone, head on cached features');
    expect(trainingMode({ backbone: 'https://x/model.json', fineTuneLayers: 4 })).toBe('fine-tuning the last 4 backbone layers');
  });

  it('refuses cached features where the features would change, naming the options', () => {
    expect(transferProblem({ backbone: '/m', cacheFeatures: true })).toBeNull();
    expect(transferProblem({ backbone: '/m', cacheFeatures: true, augment: 'none', fineTuneLayers: 0 })).toBeNull();
    expect(transferProblem({ backbone: '/m', fineTuneLayers: 2, augment: 'inception' })).toBeNull(); // fine-tuning may augment
    expect(transferProblem({ cacheFeatures: true })).toMatch(/^--cache-features needs --backbone/);
    expect(transferProblem({ fineTuneLayers: 2 })).toMatch(/^--fine-tune-layers needs --backbone/);
    expect(transferProblem({ backbone: '/m', cacheFeatures: true, fineTuneLayers: 2 })).toMatch(/cannot go with --fine-tune-layers 2/);
    expect(transferProblem({ backbone: '/m', cacheFeatures: true, augment: 'light' })).toMatch(/cannot go with --augment light/);
  });
});

/**
 * The default recipe (issue 13): what a run gets when it names no optimizer, rate or schedule,
 * and the warm-up then cosine schedule the small CNN defaults to.
 */
import { describe, expect, it } from 'vitest';
import { learningRateAt, resolveTrainOptions } from '../../src-main/engine/train/schedule.js';
import { defaultRecipe } from '../../src-main/shared/training.js';

describe('the default recipe', () => {
  it('gives the small CNN from scratch Adam 2e-3 with warm-up then cosine, and keeps every choice overridable', () => {
    expect(resolveTrainOptions({ model: 'small-cnn' }, 32)).toMatchObject({ optimizer: 'adam', learningRate: 0.002, schedule: 'warmup-cosine', labelSmoothing: 0.1, augment: 'none' });
    expect(resolveTrainOptions({ model: 'small-cnn', learningRate: 0.01, schedule: 'constant' }, 32)).toMatchObject({ learningRate: 0.01, schedule: 'constant' });
    // another optimizer brings its own rate and schedule, as in the studio's form
    expect(resolveTrainOptions({ model: 'small-cnn', optimizer: 'sgd' }, 32)).toMatchObject({ optimizer: 'sgd', learningRate: 0.01, schedule: 'constant' });
  });

  it('averages each image with its mirror image at evaluation for the small CNN trained with flips, and nowhere else unless asked', () => {
    expect(resolveTrainOptions({ model: 'small-cnn' }, 32).flipAverage).toBe(false); // its default trains without flips
    for (const augment of ['light', 'shift', 'inception'] as const) expect(resolveTrainOptions({ model: 'small-cnn', augment }, 32).flipAverage).toBe(true);
    expect(resolveTrainOptions({ model: 'small-cnn', augment: 'light', flipAverage: false }, 32).flipAverage).toBe(false);
    expect(resolveTrainOptions({ model: 'mobilenet-v2' }, 96).flipAverage).toBe(false);
    expect(resolveTrainOptions({ model: 'mobilenet-v2', flipAverage: true }, 96).flipAverage).toBe(true);
    expect(resolveTrainOptions({ model: 'small-cnn', backbone: '/some/backbone' }, 32).flipAverage).toBe(false);
  });

  it('keeps the reference recipe for Inception-v3, and Adam 1e-3 for MobileNetV2 and for a backbone\'s new head', () => {
    expect(defaultRecipe('inception-v3', false)).toEqual({ optimizer: 'rmsprop', learningRate: 0.01, schedule: 'exponential' });
    expect(defaultRecipe('mobilenet-v2', false)).toEqual({ optimizer: 'adam', learningRate: 0.001, schedule: 'constant' });
    expect(defaultRecipe('small-cnn', true)).toEqual({ optimizer: 'adam', learningRate: 0.001, schedule: 'constant' });
  });
});

describe('warm-up then cosine', () => {
  const options = resolveTrainOptions({ model: 'small-cnn', learningRate: 1, schedule: 'warmup-cosine' }, 32);
  const at = (step: number, total: number): number => learningRateAt(options, step, 0, total);

  it('rises linearly over the first 10% of the steps, never from zero, then falls to zero along a cosine', () => {
    expect(at(0, 1000)).toBeCloseTo(0.01);
    expect(at(49, 1000)).toBeCloseTo(0.5);
    expect(at(99, 1000)).toBeCloseTo(1);
    expect(at(100, 1000)).toBeCloseTo(1);
    expect(at(550, 1000)).toBeCloseTo(0.5);
    expect(at(1000, 1000)).toBeCloseTo(0);
    const rates = Array.from({ length: 1000 }, (_, s) => at(s, 1000));
    for (let s = 100; s < 999; s++) expect(rates[s + 1]!).toBeLessThanOrEqual(rates[s]!);
  });

  it('warms up for at least one step, so a run of a few steps still trains', () => {
    expect(at(0, 3)).toBe(1);
    expect(at(1, 3)).toBeGreaterThan(0);
  });
});

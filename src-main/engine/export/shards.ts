/** How TFRecord shards are named and filled, as TensorFlow's build_image_data.py does it. */
import type { Split } from '../db/repos/plan.js';

/** Spreads n records over `shards` as evenly as build_image_data.py does: shard k gets [k*n/s, (k+1)*n/s). */
export function shardRanges(n: number, shards: number): [number, number][] {
  return Array.from({ length: shards }, (_, k) => [Math.floor((k * n) / shards), Math.floor(((k + 1) * n) / shards)]);
}

export function shardName(split: Split, index: number, count: number): string {
  return `${split}-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}`;
}

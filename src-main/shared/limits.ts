/**
 * Bounds of every numeric option a person can give (the contract and the CLI check the same
 * numbers), so a slip of the finger like a million shards is refused up front instead of
 * writing tens of thousands of files.
 */
export const LIMITS = {
  /** shards per split: the names carry 5 digits (train-00000-of-00099); an export also refuses more shards than records */
  shards: 10_000,
  /** --max-side in pixels (libvips' largest JPEG side is 65,535) */
  maxSide: 16_384,
  /** seeds are 32-bit */
  seed: 4_294_967_295,
  /** balance caps and floors per category */
  perCategory: 100_000_000,
} as const;

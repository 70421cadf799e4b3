/**
 * The only importer of `usearch`: an approximate nearest-neighbour index (HNSW) over
 * L2-normalised vectors, searched by inner product (= cosine for unit vectors). Chosen over
 * hnswlib-node and faiss-node by measurement (docs/benchmarks.md, "Near duplicates"): it ships
 * a prebuilt linux-x64/darwin/win32 binary (faiss-node downloads its binary from GitHub at
 * install and fails without internet; hnswlib-node compiles with node-gyp), adds and searches
 * batches on several threads from typed arrays, and reached recall@10 >= 0.99 here.
 *
 * Keys are row numbers of the vector matrix (0..n-1); callers map them to item ids.
 */
import os from 'node:os';
import * as usearch from 'usearch';

export interface AnnOptions {
  /** HNSW graph degree (M); 16 by default */
  connectivity?: number;
  /** candidates kept while inserting (efConstruction); 128 by default */
  expansionAdd?: number;
  /** candidates kept while searching (ef); 64 by default */
  expansionSearch?: number;
  /** worker threads for add and batch search; all cores by default */
  threads?: number;
}

/** k neighbours per query, row-major: `keys[q * k + j]` (-1 where fewer were found) and their cosine similarity */
export interface Neighbours {
  k: number;
  keys: Int32Array;
  similarities: Float32Array;
}

/** vectors added per native call, so a long build can report progress and be cancelled between calls */
const ADD_CHUNK = 20_000;

export class AnnIndex {
  private readonly index: usearch.Index;
  private readonly threads: number;
  private count = 0;

  constructor(readonly dim: number, options: AnnOptions = {}) {
    this.threads = options.threads ?? os.availableParallelism();
    this.index = new usearch.Index({
      dimensions: dim,
      metric: usearch.MetricKind.IP,
      quantization: usearch.ScalarKind.F32,
      connectivity: options.connectivity ?? 16,
      expansion_add: options.expansionAdd ?? 128,
      expansion_search: options.expansionSearch ?? 64,
      multi: false,
    });
  }

  get size(): number {
    return this.count;
  }

  /** Adds rows 0..n-1 of `vectors` (n x dim), yielding to the event loop between chunks. */
  async addAll(vectors: Float32Array, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<void> {
    const n = rowsOf(vectors, this.dim);
    for (let start = 0; start < n; start += ADD_CHUNK) {
      if (signal?.aborted) throw new Error('cancelled');
      const end = Math.min(n, start + ADD_CHUNK);
      const keys = new BigUint64Array(end - start);
      for (let i = start; i < end; i++) keys[i - start] = BigInt(this.count + i);
      this.index.add(keys, vectors.subarray(start * this.dim, end * this.dim), this.threads);
      onProgress?.(end, n);
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.count += n;
  }

  /** The k nearest rows of each query (queries: m x dim), on all threads. */
  search(queries: Float32Array, k: number): Neighbours {
    const m = rowsOf(queries, this.dim);
    const out: Neighbours = { k, keys: new Int32Array(m * k).fill(-1), similarities: new Float32Array(m * k) };
    if (m === 0 || this.count === 0) return out;
    copyMatches(this.index.search(queries, k, m === 1 ? 1 : this.threads), out, m);
    return out;
  }
}

/** Exact (brute force, SIMD, all threads) k nearest rows of `data` for each query: the reference for recall. */
export function exactNeighbours(data: Float32Array, queries: Float32Array, dim: number, k: number, threads = os.availableParallelism()): Neighbours {
  const m = rowsOf(queries, dim);
  const out: Neighbours = { k, keys: new Int32Array(m * k).fill(-1), similarities: new Float32Array(m * k) };
  if (m > 0) copyMatches(usearch.exactSearch(data, queries, dim, k, usearch.MetricKind.IP, threads), out, m);
  return out;
}

/** usearch answers one query with Matches and several with BatchMatches; distances are 1 - inner product */
function copyMatches(found: usearch.Matches | usearch.BatchMatches, out: Neighbours, m: number): void {
  const k = out.k;
  const counts = found instanceof usearch.BatchMatches ? found.counts : BigUint64Array.of(BigInt(found.keys.length));
  for (let q = 0; q < m; q++) {
    for (let j = 0; j < Number(counts[q]); j++) {
      out.keys[q * k + j] = Number(found.keys[q * k + j]);
      out.similarities[q * k + j] = 1 - found.distances[q * k + j]!;
    }
  }
}

function rowsOf(vectors: Float32Array, dim: number): number {
  if (vectors.length % dim !== 0) throw new Error(`vectors: ${vectors.length} numbers is not a whole number of ${dim}-dimensional rows`);
  return vectors.length / dim;
}

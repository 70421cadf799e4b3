/**
 * Duplicate groups among the active items: exact ones (same bytes: the content hash the split
 * already keeps, computed here for any file whose size another file shares) and, given a run's
 * embeddings, near ones (cosine similarity >= a threshold). Near pairs come from each item's
 * 10 nearest neighbours in an approximate index (annIndex.ts), joined by union-find, so a group
 * is every item reachable through pairs over the threshold. A group whose members are in both
 * train and validation is a leak: validation then scores pictures the model trained on.
 */
import type { Progress } from '../../shared/types.js';
import type { PlanItem, Split } from '../db/repos/plan.js';
import { hashDuplicateCandidates } from '../dataset/duplicates.js';
import { excludeItems, type EditResult } from '../dataset/labels.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import { AnnIndex, exactNeighbours, type Neighbours } from './annIndex.js';

/** One vector per item, L2-normalised: what `loadEmbeddings` (embeddingStore.ts) returns. */
export interface Embeddings {
  ids: Int32Array;
  dim: number;
  vectors: Float32Array;
}

export const DEFAULT_THRESHOLD = 0.97;
/** neighbours looked at per item: a near-duplicate is among an item's closest few */
export const NEIGHBOURS = 10;
/** below this many vectors the search is exact (brute force): no index to build */
const EXACT_BELOW = 5_000;
const QUERY_CHUNK = 10_000;

export interface DuplicateGroup {
  /** exact: every member has the same bytes */
  kind: 'exact' | 'near';
  /** item ids, smallest first (the one "keep one" keeps unless told otherwise) */
  ids: number[];
  paths: string[];
  splits: (Split | null)[];
  /** the lowest cosine similarity of a member to the first one (1 for exact groups) */
  similarity: number;
  /** members in both train and validation */
  leak: boolean;
}

export interface DuplicateReport {
  groups: DuplicateGroup[];
  /** false without embeddings: only exact duplicates were looked for */
  near: boolean;
  threshold: number;
}

export interface FindOptions {
  /** a run's embeddings; without them only exact duplicates are found */
  embeddings?: Embeddings;
  threshold?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export async function findDuplicates(project: Project, options: FindOptions = {}): Promise<DuplicateReport> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`the similarity threshold must be above 0 and at most 1 (got ${threshold})`);
  await hashDuplicateCandidates(project, options.onProgress, options.signal);
  const items = project.plan.activeItems();
  const indexOf = new Map<number, number>();
  items.forEach((item, i) => indexOf.set(item.id, i));
  const sets = new UnionFind(items.length);

  const firstWithHash = new Map<string, number>();
  items.forEach((item, i) => {
    if (!item.content_hash) return;
    const first = firstWithHash.get(item.content_hash);
    if (first === undefined) firstWithHash.set(item.content_hash, i);
    else sets.union(first, i);
  });

  const emb = options.embeddings;
  if (emb) {
    checkEmbeddings(emb);
    const graph = await neighbourGraph(emb, options.onProgress, options.signal);
    for (let row = 0; row < emb.ids.length; row++) {
      const a = indexOf.get(emb.ids[row]!);
      if (a === undefined) continue;
      for (let j = 0; j < graph.k; j++) {
        const other = graph.keys[row * graph.k + j]!;
        if (other < 0 || other === row || graph.similarities[row * graph.k + j]! < threshold) continue;
        const b = indexOf.get(emb.ids[other]!);
        if (b !== undefined) sets.union(a, b);
      }
    }
  }

  const members = new Map<number, number[]>();
  for (let i = 0; i < items.length; i++) {
    const root = sets.find(i);
    if (sets.sizeOf(root) < 2) continue;
    const list = members.get(root);
    if (list) list.push(items[i]!.id);
    else members.set(root, [items[i]!.id]);
  }
  const rowOf = new Map<number, number>();
  if (emb) emb.ids.forEach((id, row) => rowOf.set(id, row));
  const byId = new Map(items.map((item) => [item.id, item]));
  const groups = [...members.values()].map((ids) => describeGroup(ids, byId, emb, rowOf));
  return { groups: sortGroups(groups), near: emb !== undefined, threshold };
}

/**
 * The groups as the items are now: members no longer active (excluded since, say) drop out,
 * a group left with one member is gone, and splits (hence leaks) are re-read.
 */
export function refreshGroups(project: Project, groups: readonly DuplicateGroup[]): DuplicateGroup[] {
  const byId = new Map(project.plan.activeItems().map((item) => [item.id, item]));
  const out: DuplicateGroup[] = [];
  for (const g of groups) {
    const keep = g.ids.map((id, i) => ({ id, i })).filter(({ id }) => byId.has(id));
    if (keep.length < 2) continue;
    const splits = keep.map(({ id }) => byId.get(id)!.split);
    out.push({ ...g, ids: keep.map((k) => k.id), paths: keep.map(({ id }) => byId.get(id)!.path), splits, leak: isLeak(splits) });
  }
  return out;
}

/**
 * "Keep one, exclude the rest" for each group, as ONE undoable batch: `keep` must be a member
 * of its group. Excluded items leave training and export but stay in the project.
 */
export function keepOneOfEach(project: Project, groups: readonly { keep: number; members: readonly number[] }[]): EditResult {
  const exclude: number[] = [];
  for (const g of groups) {
    if (!g.members.includes(g.keep)) throw new Error(`item ${g.keep} is not in its duplicate group (${g.members.join(', ')})`);
    for (const id of g.members) if (id !== g.keep) exclude.push(id);
  }
  if (exclude.length === 0) return { batch: null, description: 'nothing to exclude: every group has only the item kept', changed: 0 };
  return excludeItems(project, [...new Set(exclude)], 'duplicates');
}

function describeGroup(ids: number[], byId: Map<number, PlanItem>, emb: Embeddings | undefined, rowOf: Map<number, number>): DuplicateGroup {
  ids.sort((a, b) => a - b);
  const members = ids.map((id) => byId.get(id)!);
  const hash = members[0]!.content_hash;
  const exact = hash !== null && members.every((m) => m.content_hash === hash);
  let similarity = 1;
  if (!exact && emb) {
    const first = rowOf.get(ids[0]!);
    for (const m of members.slice(1)) {
      // a member with the first one's bytes is identical to it, whatever its embedding
      if (hash !== null && m.content_hash === hash) continue;
      const row = rowOf.get(m.id);
      if (first !== undefined && row !== undefined) similarity = Math.min(similarity, dot(emb, first, row));
    }
  }
  const splits = members.map((m) => m.split);
  return { kind: exact ? 'exact' : 'near', ids, paths: members.map((m) => m.path), splits, similarity: round(similarity), leak: isLeak(splits) };
}

/** leaks first, then the most similar, then by first item: a stable order for paging */
function sortGroups(groups: DuplicateGroup[]): DuplicateGroup[] {
  return groups.sort((a, b) => Number(b.leak) - Number(a.leak) || b.similarity - a.similarity || a.ids[0]! - b.ids[0]!);
}

function isLeak(splits: readonly (Split | null)[]): boolean {
  return splits.includes('train') && splits.includes('validation');
}

async function neighbourGraph(emb: Embeddings, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<Neighbours> {
  const n = emb.ids.length;
  const k = Math.min(NEIGHBOURS + 1, n); // +1: an item finds itself first
  if (n === 0) return { k: 1, keys: new Int32Array(0), similarities: new Float32Array(0) };
  if (n < EXACT_BELOW) return exactNeighbours(emb.vectors, emb.vectors, emb.dim, k);
  const build = new ProgressMeter('indexing embeddings', n);
  const index = new AnnIndex(emb.dim);
  await index.addAll(emb.vectors, (done) => onProgress?.(build.update(done)), signal);
  const search = new ProgressMeter('finding near duplicates', n);
  const out: Neighbours = { k, keys: new Int32Array(n * k), similarities: new Float32Array(n * k) };
  for (let start = 0; start < n; start += QUERY_CHUNK) {
    if (signal?.aborted) throw new Error('cancelled');
    const end = Math.min(n, start + QUERY_CHUNK);
    const part = index.search(emb.vectors.subarray(start * emb.dim, end * emb.dim), k);
    out.keys.set(part.keys, start * k);
    out.similarities.set(part.similarities, start * k);
    onProgress?.(search.update(end));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

function checkEmbeddings(emb: Embeddings): void {
  if (!(emb.dim > 0) || emb.vectors.length !== emb.ids.length * emb.dim) {
    throw new Error(`embeddings: ${emb.vectors.length} numbers for ${emb.ids.length} items of dimension ${emb.dim}`);
  }
}

function dot(emb: Embeddings, a: number, b: number): number {
  const d = emb.dim;
  let s = 0;
  for (let j = 0; j < d; j++) s += emb.vectors[a * d + j]! * emb.vectors[b * d + j]!;
  return s;
}

function round(x: number): number {
  return Math.round(Math.min(1, x) * 10_000) / 10_000;
}

class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
    this.size = new Int32Array(n).fill(1);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!; // path halving
      x = this.parent[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
  }
  sizeOf(root: number): number {
    return this.size[root]!;
  }
}

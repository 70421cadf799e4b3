/**
 * Between a run's outputs (indices into its labels.json) and the project's categories (ids):
 * a model category the project no longer has is stored as -(index + 1), and its name comes
 * from labels.json. Levels roll names up the tree ("Men > Shoes > Sneakers" at level 2 is
 * "Men > Shoes").
 */
import { CATEGORY_SEPARATOR } from '../../shared/categoryName.js';
import type { Project } from '../project.js';

export class LabelMap {
  private readonly idOfIndex: (number | null)[];
  private readonly indexOfId = new Map<number, number>();
  private readonly nameOfId = new Map<number, string>();
  readonly idOfName = new Map<string, number>();

  private readonly indexOfName: Map<string, number>;

  constructor(
    project: Project,
    readonly labels: readonly string[],
    /** the tree level the run was trained at: an item's label is its category rolled up to it */
    readonly level: number | null = null,
  ) {
    this.indexOfName = new Map(labels.map((name, i) => [name, i]));
    for (const c of project.categories.all()) {
      this.nameOfId.set(c.id, c.name);
      this.idOfName.set(c.name, c.id);
    }
    this.idOfIndex = labels.map((name) => this.idOfName.get(name) ?? null);
    this.idOfIndex.forEach((id, i) => id !== null && this.indexOfId.set(id, i));
  }

  /** The stored form of output `index`: its category id, or -(index + 1). */
  stored(index: number): number {
    return this.idOfIndex[index] ?? -(index + 1);
  }

  /** The output index of a category (null when the model does not know it). */
  indexOf(categoryId: number): number | null {
    if (this.level !== null) return this.indexOfName.get(rollUp(this.nameOf(categoryId), this.level)) ?? null;
    return this.indexOfId.get(categoryId) ?? null;
  }

  /** A stored category's name, and its id when the project has it. */
  describe(stored: number): { id: number | null; name: string } {
    if (stored < 0) return { id: null, name: this.labels[-stored - 1] ?? `#${-stored}` };
    return { id: stored, name: this.nameOfId.get(stored) ?? `#${stored}` };
  }

  nameOf(categoryId: number): string {
    return this.nameOfId.get(categoryId) ?? `#${categoryId}`;
  }
}

/** A category name rolled up to `level` (1 = top level); null keeps the leaf. */
export function rollUp(name: string, level: number | null): string {
  if (level === null) return name;
  const parts = name.split(CATEGORY_SEPARATOR);
  return parts.length <= level ? name : parts.slice(0, level).join(CATEGORY_SEPARATOR);
}

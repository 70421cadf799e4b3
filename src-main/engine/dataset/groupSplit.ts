/**
 * Puts each group of items (duplicates found by review/duplicates.ts) into one split, so no
 * picture is trained on and validated against: the split most of its members already have,
 * train on a tie. Members without a split yet get the group's too, or a later split would place
 * them on their own. A split is not a label: this is not recorded as an undoable batch (running
 * `split --reset` re-splits everything; without --reset the splits chosen here are kept).
 */
import type { Split } from '../db/repos/plan.js';
import type { Project } from '../project.js';
import { plural } from './labels.js';

export interface GroupSplitResult {
  /** items whose split changed */
  changed: number;
  /** groups that had to change */
  groups: number;
  description: string;
}

export function putGroupsInOneSplit(project: Project, groups: readonly (readonly number[])[]): GroupSplitResult {
  const splitOf = new Map(project.plan.activeItems().map((item) => [item.id, item.split]));
  const assign = new Map<number, Split>();
  let changedGroups = 0;
  for (const ids of groups) {
    const members = ids.filter((id) => splitOf.has(id));
    const validation = members.filter((id) => splitOf.get(id) === 'validation').length;
    const train = members.filter((id) => splitOf.get(id) === 'train').length;
    if (train + validation === 0) continue; // none split yet: the next split places the group
    const target: Split = validation > train ? 'validation' : 'train';
    const moving = members.filter((id) => splitOf.get(id) !== target && !assign.has(id));
    for (const id of moving) assign.set(id, target);
    if (moving.length > 0) changedGroups++;
  }
  project.plan.setSplits(assign);
  const description =
    assign.size === 0 ? 'nothing to change: every group is already in one split' : `put ${plural(changedGroups, 'group')} into one split each (${plural(assign.size, 'item')} moved)`;
  return { changed: assign.size, groups: changedGroups, description };
}

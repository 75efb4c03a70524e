/**
 * What a case waits on, flattened into the columns of `docket.cases` the inbox views search
 * (migration 011, GIN-indexed): who must act now, who may claim, who is cc'd, who started it.
 */
import type { WorkView } from '../../engine/work-types';

export interface WorkColumns {
  /** Every task's assignee, and every user of a current approval step who has not approved yet. */
  assignees: string[];
  /** The candidate roles of unassigned tasks, and the roles of current approval steps. */
  candidateRoles: string[];
  /** The candidate users of unassigned tasks. */
  candidateUsers: string[];
  ccUsers: string[];
  initiator: string | null;
}

const unique = (items: Iterable<string>): string[] => [...new Set(items)].filter((s) => s !== '').sort();

/** The columns of `work`; a case recorded without work (older definitions) has none. */
export function workColumns(work: WorkView | undefined): WorkColumns {
  const assignees: string[] = [];
  const roles: string[] = [];
  const users: string[] = [];
  for (const task of work?.tasks ?? []) {
    if (task.assignee !== null) assignees.push(task.assignee);
    else {
      roles.push(...task.candidates.roles);
      users.push(...task.candidates.users);
    }
    const step = task.approval?.steps[task.approval.current];
    if (step === undefined) continue;
    const approved = new Set(step.approved.flatMap((d) => [d.userId, ...(d.onBehalfOf === undefined ? [] : [d.onBehalfOf])]));
    for (const member of step.members) {
      if ('user' in member) {
        if (!approved.has(member.user)) assignees.push(member.user);
      } else roles.push(member.role);
    }
  }
  return {
    assignees: unique(assignees),
    candidateRoles: unique(roles),
    candidateUsers: unique(users),
    ccUsers: unique(work?.cc ?? []),
    initiator: work?.initiator ?? null,
  };
}

/**
 * Acting on someone's behalf: a user whose task it is may name an out-of-office delegate
 * (`/me/delegations`); while the delegation is in force the delegate acts on the user's cases
 * with the user's authority, and the case's log shows "A on behalf of B".
 */
import { PostgresDelegationStore } from '../adapters/postgres/delegation-store';
import type { WorkColumns } from '../adapters/postgres/work-columns';
import type { Actor } from '../engine/types';
import type { Principal } from './auth';
import type { ApiDeps } from './deps';

/** What `resolveActor` reads of a case: who it waits on (`PostgresCaseQueries.caseWork`). */
export type CaseWork = Pick<WorkColumns, 'assignees'>;

/**
 * The actor a request acts as on a case: the caller in `role`, or, when the caller is not one the
 * case waits on (its assignees, approvers) but a user who delegated to the caller for now is and
 * holds `role`, the caller on that user's behalf (`onBehalfOf`). With no case row yet, the caller.
 */
export async function resolveActor(deps: ApiDeps, principal: Principal, role: string, caseRow: CaseWork | null): Promise<Actor> {
  const caller: Actor = { userId: principal.userId, role };
  if (caseRow === null || caseRow.assignees.length === 0 || caseRow.assignees.includes(principal.userId)) return caller;
  const delegators = await new PostgresDelegationStore(deps.pool).delegatorsOf(principal.userId);
  for (const userId of delegators.filter((d) => caseRow.assignees.includes(d))) {
    const user = await deps.users.getUser(userId);
    if (user?.status === 'active' && user.roles.includes(role)) return { ...caller, onBehalfOf: userId };
  }
  return caller;
}

/** `resolveActor` for a case read by its id. */
export async function actorOnCase(deps: ApiDeps, principal: Principal, role: string, caseId: string): Promise<Actor> {
  return resolveActor(deps, principal, role, await deps.queries.caseWork(caseId));
}

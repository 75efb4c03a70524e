/**
 * An event that names users (payload fields marked `x-user`, engine/named-users.ts) is sent only
 * when each named user exists, is enabled and holds one of the field's roles; otherwise 422
 * `UnknownUser` and nothing is sent. The workflow cannot read the user directory, so the API checks.
 */
import { eventUserFields, namedUsers } from '../engine/named-users';
import { ownValue } from '../engine/own';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';

/** Refuses an event whose data names a user who may not take the part (see above). */
export async function refuseUnknownUsers(
  deps: ApiDeps,
  caseId: string,
  actorRole: string,
  type: string,
  data: Record<string, unknown> | undefined,
): Promise<void> {
  if (data === undefined) return;
  const stored = await deps.caseStore.getCase(caseId);
  if (!stored) return; // the send answers CaseNotFound
  const known = await deps.catalog.byHash(stored.definitionHash, caseId);
  // A role that may not send the event is told so by the workflow first.
  if (!known || !ownValue(known.definition.events, type)?.roles.includes(actorRole)) return;
  const named = namedUsers(eventUserFields(known.definition, type), data);
  const issues: Array<{ path: string; message: string }> = [];
  for (const { field, userId, roles } of named) {
    const user = await deps.users.getUser(userId);
    if (!user || user.status !== 'active') issues.push({ path: field, message: `no active user "${userId}"` });
    else if (roles.length > 0 && !roles.some((r) => user.roles.includes(r)))
      issues.push({ path: field, message: `user "${userId}" does not hold the role ${roles.join(' or ')}` });
  }
  if (issues.length > 0)
    throw new ApiError(
      422,
      'UnknownUser',
      `${type} names a user who cannot take the part: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
}

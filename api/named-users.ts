/**
 * An event that names users (payload fields marked `x-user`, engine/named-users.ts) is sent only
 * when each named user exists, is enabled and holds one of the field's roles; otherwise 422
 * `UnknownUser` and nothing is sent. The workflow cannot read the user directory, so the API checks.
 */
import { eventUserFields, namedUsers } from '../engine/named-users';
import type { Definition } from '../engine/definition-schema';
import { ownValue } from '../engine/own';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';

/**
 * The definition a case is pinned to, where the API checks the data of an event before sending it;
 * undefined where the send answers anyway: no such case (CaseNotFound), or a role that may not send
 * the event (the workflow says Forbidden first).
 */
export async function pinnedDefinitionToCheck(
  deps: Pick<ApiDeps, 'catalog'>,
  caseRow: { definitionHash: string } | null,
  caseId: string,
  actorRole: string,
  type: string,
): Promise<Definition | undefined> {
  if (!caseRow) return undefined;
  const known = await deps.catalog.byHash(caseRow.definitionHash, caseId);
  if (!known || !ownValue(known.definition.events, type)?.roles.includes(actorRole)) return undefined;
  return known.definition;
}

/** Refuses an event whose data names a user who may not take the part (see above); `definition` from `pinnedDefinitionToCheck`. */
export async function refuseUnknownUsers(
  deps: ApiDeps,
  definition: Definition | undefined,
  type: string,
  data: Record<string, unknown> | undefined,
): Promise<void> {
  if (data === undefined || !definition) return;
  const named = namedUsers(eventUserFields(definition, type), data);
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

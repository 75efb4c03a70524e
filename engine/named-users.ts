/**
 * Fields that name a user: a payload field (or a list of them) marked `"x-user": { "roles": […] }`
 * names a user who must exist, be enabled and hold one of those roles — e.g. the handler a
 * complaint is assigned to at ACCEPT. The engine cannot read the user directory (a workflow is
 * deterministic), so the client checks the named users before the event is sent.
 */
import type { Definition } from './definition-schema';
import { ownValue } from './own';

export const USER_FIELD_KEY = 'x-user';

/** A field of an event's data that names users. */
export interface NamedUserField {
  field: string;
  /** The roles one of which the named user must hold (empty: any). */
  roles: string[];
  /** The field holds a list of user ids. */
  list: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function rolesOf(schema: unknown): string[] | undefined {
  const spec = isRecord(schema) ? schema[USER_FIELD_KEY] : undefined;
  if (!isRecord(spec)) return undefined;
  return Array.isArray(spec.roles) ? spec.roles.filter((r): r is string => typeof r === 'string') : [];
}

/** The fields of a payload schema (top level, or lists of them) that name users. */
export function namedUserFields(payload: unknown): NamedUserField[] {
  const properties = isRecord(payload) && isRecord(payload.properties) ? payload.properties : {};
  const out: NamedUserField[] = [];
  for (const [field, schema] of Object.entries(properties)) {
    const roles = rolesOf(schema);
    if (roles) out.push({ field, roles, list: false });
    const itemRoles = isRecord(schema) ? rolesOf(schema.items) : undefined;
    if (itemRoles) out.push({ field, roles: itemRoles, list: true });
  }
  return out;
}

/** The user fields of an event of a definition. */
export function eventUserFields(definition: Definition, eventType: string): NamedUserField[] {
  return namedUserFields(ownValue(definition.events, eventType)?.payload);
}

/** The users an event's data names, by field: `[{ field, userId, roles }]` (strings only; the schema checks the rest). */
export function namedUsers(
  fields: NamedUserField[],
  data: Record<string, unknown>,
): Array<{ field: string; userId: string; roles: string[] }> {
  const out: Array<{ field: string; userId: string; roles: string[] }> = [];
  for (const f of fields) {
    const value = ownValue(data, f.field);
    const ids = f.list ? (Array.isArray(value) ? value : []) : [value];
    for (const id of ids) if (typeof id === 'string') out.push({ field: f.field, userId: id, roles: f.roles });
  }
  return out;
}

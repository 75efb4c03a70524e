/**
 * Values for the case templates (./templates.ts): start inputs and event payloads sampled from a
 * definition's JSON Schemas, varied at random, with placeholders where a value names a user or the
 * customer. A template is materialised once per seeded case, each placeholder becoming a real user
 * of that role (or the case's customer): see ./pieces.ts.
 */
import type { Rng } from './rng';

type Schema = Record<string, unknown>;

/** The placeholder of the `slot`-th person of `role` in a case (matches the user id pattern and customer-id-like patterns). */
export const userToken = (role: string, slot: number) => `zzU.${role}.${slot}`;
/** The placeholder of the case's customer. */
export const CUSTOMER_TOKEN = 'zzCUSTOMER';
/** The placeholder of the case's id (in ids derived from it, e.g. a sub-process case's). */
export const CASE_TOKEN = 'zzCASEID';

/** User fields that predate the `x-user` mark, by name: the role their users hold. */
const ROLE_BY_FIELD: Record<string, string> = {
  salesRep: 'sales_rep',
  lead: 'sales_manager',
  members: 'analyst',
  by: 'cs_agent',
  submittedBy: 'sales_rep',
};

const PHRASES = [
  'Called the customer and confirmed the details',
  'Door panel cracked in transit, photos attached',
  'Customer expects a replacement within two weeks',
  '客户要求更换门板并承担运费',
  'Discussed the renewal terms with the purchasing manager',
  '已与客户沟通，客户同意方案',
  'Installation delayed: the site was not ready',
  'Competitor offered a lower price for the same slots',
  'Follow-up meeting planned with the regional office',
  '客户反馈服务态度问题，已安排回访',
  'Price too high compared with last year',
  'Waiting for the signed copy from the customer',
];

export interface SampleScope {
  rng: Rng;
  /** Workflow time of the walk (epoch ms): dates are sampled around it. */
  now: number;
  /** The role a field called `owner` names in this process (a measure's owner is a department owner). */
  ownerRole: string;
  /** The field of the start input that names the customer. */
  customerField?: string;
  /** Whether dates other than a period's start and end lie ahead (an appointment, a due date) or just passed (when something happened). */
  dates?: 'past' | 'future';
  /** The case's context: an event's fields may repeat its values (./payloads.ts `fromContext`). */
  context?: Record<string, unknown>;
  /** Which person of a role a user field names (0: the case's usual one). */
  slot?: (role: string) => number;
}

const DAY = 86_400_000;

function userRoleOf(field: string, schema: Schema, scope: SampleScope): string | undefined {
  const mark = schema['x-user'] as { roles?: unknown } | undefined;
  if (mark && typeof mark === 'object') {
    const roles = Array.isArray(mark.roles) ? (mark.roles as string[]) : [];
    return roles.length > 0 ? scope.rng.pick(roles) : 'sales_rep';
  }
  const description = typeof schema.description === 'string' ? schema.description : '';
  if (field === 'owner') return /user id/i.test(description) || description === '' ? scope.ownerRole : undefined;
  if (Object.hasOwn(ROLE_BY_FIELD, field)) return ROLE_BY_FIELD[field];
  if (/^user id/i.test(description)) return 'sales_rep';
  return undefined;
}

function text(schema: Schema, scope: SampleScope): string {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 4000;
  let value = scope.rng.pick(PHRASES);
  if (scope.rng.chance(0.3)) value = `${value}. ${scope.rng.pick(PHRASES)}`;
  if (value.length < min) value = value.padEnd(min, '.');
  return value.slice(0, Math.max(min, Math.min(max, value.length)));
}

function number(schema: Schema, scope: SampleScope, integer: boolean): number {
  const { rng } = scope;
  const min =
    typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0;
  const max =
    typeof schema.maximum === 'number'
      ? schema.maximum
      : typeof schema.exclusiveMaximum === 'number'
        ? schema.exclusiveMaximum - (integer ? 1 : 0.01)
        : min + 1_000_000;
  if (max <= 1) return Math.round((min + rng.next() * (max - min) * 0.35) * 100) / 100;
  if (integer && max - min <= 100) return rng.between(Math.ceil(min), Math.floor(max));
  // Amounts of business size: rarely below a policy's minimum.
  const low = Math.max(min, 10_000);
  const high = Math.min(max, 5_000_000);
  const value = high > low ? rng.logUniform(low, high) : min;
  return integer ? Math.round(value) : Math.round(value * 100) / 100;
}

/** Days from now of a sampled date: a period's end well after its start, a start after the placement starts, others as the scope says. */
function daysAhead(field: string, rng: Rng, bias: 'past' | 'future'): number {
  if (/end|until/i.test(field)) return 30 + rng.next() * 90;
  if (/^start|From$/.test(field)) return 3 + rng.next() * 7;
  if (/Start$/.test(field)) return 1 + rng.next();
  return bias === 'past' ? -0.01 - rng.next() * 3 : 0.5 + rng.next() * 20;
}

/**
 * Mostly, a field named like a value of the case's context repeats it (or one of the list named by
 * its plural): an event about this measure names this measure, one of its departments.
 */
function fromContext(schema: Schema, scope: SampleScope, key: string): unknown {
  const context = scope.context;
  if (context === undefined || !scope.rng.chance(0.7)) return undefined;
  const fits = (v: unknown) =>
    (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && (!Array.isArray(schema.enum) || schema.enum.includes(v));
  const same = context[key];
  if (fits(same)) return same;
  const plural = context[`${key}s`];
  if (Array.isArray(plural)) {
    const options = plural.filter(fits);
    if (options.length > 0) return scope.rng.pick(options);
  }
  return undefined;
}

/** A value for `schema` (field `field` of its parent), or undefined to leave an optional field out. */
export function sampleValue(schema: Schema | undefined, scope: SampleScope, field = '', required = true): unknown {
  if (!schema) return undefined;
  const { rng } = scope;
  if (!required && rng.chance(0.4)) return undefined;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return rng.pick(schema.enum);
  if (scope.customerField !== undefined && field === scope.customerField) return CUSTOMER_TOKEN;
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return sampleValue(rng.pick(options) as Schema, scope, field, true);
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]).filter((t) => t !== 'null') : [schema.type as string | undefined];
  const type = types[0];
  switch (type) {
    case 'object':
    case undefined: {
      if (type === undefined && !schema.properties) return schema.default;
      const out: Record<string, unknown> = {};
      const req = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      const inner = scope.context === undefined ? scope : { ...scope, context: undefined };
      for (const [key, sub] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
        const value = fromContext(sub, scope, key) ?? sampleValue(sub, inner, key, req.has(key));
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
    case 'string': {
      const role = userRoleOf(field, schema, scope);
      if (role !== undefined) return userToken(role, scope.slot?.(role) ?? 0);
      if (schema.format === 'date-time')
        return new Date(scope.now + Math.round(daysAhead(field, rng, scope.dates ?? 'future') * DAY)).toISOString();
      if (schema.format === 'date')
        return new Date(scope.now + Math.round(daysAhead(field, rng, scope.dates ?? 'future') * DAY)).toISOString().slice(0, 10);
      if (schema.format === 'email') return `contact${rng.int(1000)}@example.com`;
      if (schema.default !== undefined) return schema.default;
      if (typeof schema.pattern === 'string') {
        const date = new Date(scope.now + rng.int(20) * DAY).toISOString();
        const pattern = new RegExp(schema.pattern, 'u');
        return [date.slice(0, 10), date, 'someone@example.com', 'ABC-123', '12345', 'Sample'].find((c) => pattern.test(c));
      }
      return text(schema, scope);
    }
    case 'integer':
    case 'number':
      if (schema.default !== undefined && rng.chance(0.5)) return schema.default;
      return number(schema, scope, type === 'integer');
    case 'boolean':
      return rng.chance(0.75);
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : minItems + 3;
      const least = required ? Math.max(1, minItems) : minItems;
      const n = rng.between(least, Math.max(least, Math.min(maxItems, least + 2)));
      const itemSchema = schema.items as Schema | undefined;
      const items: unknown[] = [];
      const seen = new Set<string>();
      for (let i = 0; i < n * 3 && items.length < n; i++) {
        const item = sampleValue(itemSchema, scope, field);
        if (item === undefined) break;
        const key = JSON.stringify(item);
        if (schema.uniqueItems === true && seen.has(key)) continue;
        seen.add(key);
        items.push(item);
      }
      return items;
    }
    case 'null':
      return null;
    default:
      return undefined;
  }
}

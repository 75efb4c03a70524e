import type { Definition } from './definition-schema';
import { jsonSchemaValidator, type SchemaValidator } from './json-schema';
import { ownValue } from './own';

/**
 * The JSON Schema a payload is checked against, built in one place: the workflow's validators
 * (engine/compile.ts), the linter and the API's form schemas (api/allowed.ts) all use it, so a form
 * asks for exactly what the workflow accepts.
 */

/** Fields every event may carry besides its own: a comment and attachment references. */
const COMMON_EVENT_FIELDS = {
  comment: { type: 'string', maxLength: 4000 },
  attachments: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 500 } },
};

/** A payload's JSON Schema as it is checked: an object, closed to unknown fields unless the schema says otherwise. */
export function payloadJsonSchema(schema: Record<string, unknown> | undefined, withCommonFields: boolean): Record<string, unknown> {
  const base: Record<string, unknown> = schema ? { ...schema } : { type: 'object', properties: {} };
  if (base.type === undefined) base.type = 'object';
  if (base.additionalProperties === undefined) base.additionalProperties = false;
  if (withCommonFields) {
    const properties = { ...((base.properties as Record<string, unknown>) ?? {}) };
    for (const [k, v] of Object.entries(COMMON_EVENT_FIELDS)) if (!(k in properties)) properties[k] = v;
    base.properties = properties;
  }
  return base;
}

/** The JSON Schema of an event's payload as the workflow checks it (an undeclared event: an empty object). */
export function eventPayloadJsonSchema(definition: Pick<Definition, 'events'>, type: string): Record<string, unknown> {
  return payloadJsonSchema(ownValue(definition.events, type)?.payload, true);
}

/** The validator of a payload's JSON Schema (see `payloadJsonSchema`). */
export function payloadValidator(schema: Record<string, unknown> | undefined, withCommonFields: boolean): SchemaValidator {
  return jsonSchemaValidator(payloadJsonSchema(schema, withCommonFields));
}

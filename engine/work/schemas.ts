/**
 * The data of each task operation, as the engine checks it in a case's Update validator.
 *
 * JSON Schemas checked by the validator payloads use (../json-schema.ts), not zod: each case
 * workflow loads its own copy of every module it imports, and building zod and its schemas cost
 * every open case about a megabyte.
 */
import { jsonSchemaValidator, type SchemaIssue, type SchemaValidator } from '../json-schema';
import { TASK_OPERATIONS, type TaskOperation, type TaskOperationData } from '../work-types';

type Schema = Record<string, unknown>;

const COMMENT_MAX = 2000;
const comment: Schema = {
  type: 'string',
  maxLength: COMMENT_MAX,
  'x-messages': { maxLength: `a comment is at most ${COMMENT_MAX} characters` },
};
/** Checked after trimming (see `trimmed`): the words kept in the case log. */
const requiredComment: Schema = {
  type: 'string',
  minLength: 1,
  maxLength: COMMENT_MAX,
  'x-messages': {
    minLength: 'give a comment (it is kept in the case log)',
    maxLength: `a comment is at most ${COMMENT_MAX} characters`,
  },
};
const userId: Schema = { type: 'string', minLength: 1, maxLength: 200, 'x-messages': { minLength: 'name a user id' } };
const name: Schema = { type: 'string', minLength: 1 };
/** The task's state path, needed only when several tasks are open at once (parallel regions). */
const state: Schema = name;

const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

const SCHEMAS: { [K in TaskOperation]: Schema } = {
  'task.claim': object({ comment, state }),
  'task.release': object({ comment, state }),
  'task.transfer': object({ to: userId, comment: requiredComment, state }, ['to', 'comment']),
  'task.reassign': object({ to: userId, comment: requiredComment, state }, ['to', 'comment']),
  'task.addApprover': object(
    {
      approver: { anyOf: [object({ user: userId }, ['user']), object({ role: name }, ['role'])] },
      position: { enum: ['before', 'after', 'parallel'] },
      comment,
      state,
    },
    ['approver', 'position'],
  ),
  'task.return': object({ to: name, comment: requiredComment, state }, ['to', 'comment']),
  'task.remind': object({ comment, state }),
  'task.cc': object(
    { users: { type: 'array', items: userId, minItems: 1, maxItems: 50, 'x-messages': { minItems: 'name at least one user' } }, comment },
    ['users'],
  ),
  'task.withdraw': object({ comment: requiredComment }, ['comment']),
};

/** The operations whose comment is required: it is trimmed before it is checked, and kept trimmed. */
const TRIMMED = new Set<TaskOperation>(['task.transfer', 'task.reassign', 'task.return', 'task.withdraw']);

function trimmed(op: TaskOperation, data: unknown): unknown {
  if (!TRIMMED.has(op) || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const { comment: c } = data as { comment?: unknown };
  return typeof c === 'string' ? { ...data, comment: c.trim() } : data;
}

export type TaskDataCheck<T> = { success: true; data: T } | { success: false; error: { issues: SchemaIssue[] } };

export interface TaskDataSchema<T> {
  safeParse(value: unknown): TaskDataCheck<T>;
}

/** A checker per operation, built when first used (most cases never see most operations). */
const validators = new Map<TaskOperation, SchemaValidator>();

function schemaFor<K extends TaskOperation>(op: K): TaskDataSchema<TaskOperationData[K] & { state?: string }> {
  return {
    safeParse(value) {
      let validator = validators.get(op);
      if (validator === undefined) validators.set(op, (validator = jsonSchemaValidator(SCHEMAS[op])));
      const data = trimmed(op, value);
      const checked = validator.safeParse(data);
      return checked.success
        ? { success: true, data: data as TaskOperationData[K] & { state?: string } }
        : { success: false, error: { issues: checked.error.issues } };
    },
  };
}

/** The data of each task operation, as the engine checks it (a `state` may name the task when several are open). */
export const taskOperationSchemas = Object.fromEntries(TASK_OPERATIONS.map((op) => [op, schemaFor(op)])) as {
  [K in TaskOperation]: TaskDataSchema<TaskOperationData[K] & { state?: string }>;
};

/** Any operation's data, parsed: the union of the fields above. */
export type AnyTaskData = Partial<{
  comment: string;
  state: string;
  to: string;
  approver: { user: string } | { role: string };
  position: 'before' | 'after' | 'parallel';
  users: string[];
}>;

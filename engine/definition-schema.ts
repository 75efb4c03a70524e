import { z } from 'zod';

/**
 * The file format of a process definition: an XState v5 machine config as data,
 * plus what XState has no place for (roles and payload schemas of events,
 * business-time delays, parameters, labels). Guards, actions and delays are
 * referenced by name from the machine config and declared here as data.
 */

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const nameMessage = 'use letters, digits and _ only, starting with a letter';

export const labelsSchema = z.object({
  en: z.string().min(1, 'give an English label'),
  'zh-CN': z.string().min(1, 'give a Chinese (zh-CN) label'),
});
export type Labels = z.infer<typeof labelsSchema>;

/**
 * A parameter chosen by a value of the case: `{ "paramBy": "context.grade", "params": { "A": "followUpDaysA", "B": … } }`
 * reads the parameter named for the value the path holds now (none when it holds another value).
 */
export const paramByRefSchema = z
  .object({
    paramBy: z.string().min(1),
    params: z
      .record(z.string().min(1), z.string().regex(NAME, nameMessage))
      .refine((m) => Object.keys(m).length > 0, 'name a parameter for at least one value'),
  })
  .strict();
export type ParamByRef = z.infer<typeof paramByRefSchema>;

/**
 * A value read at run time: a path (`data.x`, `context.x`, `param.x`, `actor.role`, `item.x`, `now`), a literal
 * (`{ value }`), the length of a list (`{ length: path }`), the distinct values whose condition holds
 * (`{ pick: [{ when?, value }] }`, e.g. an approval chain), when a named delay would fall due now (`{ dueAt: delay }`), or a
 * parameter chosen by a value of the case (`{ paramBy, params }`).
 */
export const valueRefSchema: z.ZodType<ValueRef> = z.lazy(() =>
  z.union([
    paramByRefSchema,
    z.string().min(1),
    z.number(),
    z.boolean(),
    z.null(),
    z.object({ value: z.unknown() }).strict(),
    z.object({ length: z.string().min(1) }).strict(),
    z
      .object({
        pick: z.array(z.object({ when: guardExprSchema.optional(), value: valueRefSchema }).strict()).min(1),
      })
      .strict(),
    z.object({ dueAt: z.string().regex(NAME, nameMessage) }).strict(),
  ]),
);
export type ValueRef =
  | string
  | number
  | boolean
  | null
  | { value: unknown }
  | { length: string }
  | { pick: Array<{ when?: GuardExpr; value: ValueRef }> }
  | { dueAt: string }
  | ParamByRef;

export type GuardExpr =
  | { gt: [ValueRef, ValueRef] }
  | { gte: [ValueRef, ValueRef] }
  | { lt: [ValueRef, ValueRef] }
  | { lte: [ValueRef, ValueRef] }
  | { eq: [ValueRef, ValueRef] }
  | { neq: [ValueRef, ValueRef] }
  | { before: [ValueRef, ValueRef] }
  | { after: [ValueRef, ValueRef] }
  | { truthy: ValueRef }
  | { includes: [ValueRef, ValueRef] }
  | { some: { path: string; where: GuardExpr } }
  | { every: { path: string; where: GuardExpr } }
  | { and: GuardExpr[] }
  | { or: GuardExpr[] }
  | { not: GuardExpr }
  | { guard: string };

const pair = z.tuple([valueRefSchema, valueRefSchema]);
export const guardExprSchema: z.ZodType<GuardExpr> = z.lazy(() =>
  z.union([
    z.object({ gt: pair }).strict(),
    z.object({ gte: pair }).strict(),
    z.object({ lt: pair }).strict(),
    z.object({ lte: pair }).strict(),
    z.object({ eq: pair }).strict(),
    z.object({ neq: pair }).strict(),
    z.object({ before: pair }).strict(),
    z.object({ after: pair }).strict(),
    z.object({ truthy: valueRefSchema }).strict(),
    z.object({ includes: pair }).strict(),
    z.object({ some: z.object({ path: z.string(), where: guardExprSchema }).strict() }).strict(),
    z.object({ every: z.object({ path: z.string(), where: guardExprSchema }).strict() }).strict(),
    z.object({ and: z.array(guardExprSchema).min(1) }).strict(),
    z.object({ or: z.array(guardExprSchema).min(1) }).strict(),
    z.object({ not: guardExprSchema }).strict(),
    z.object({ guard: z.string().regex(NAME, nameMessage) }).strict(),
  ]),
);

/** A number written in the definition, read from a parameter, or from the parameter a value of the case chooses (`{ paramBy, params }`). */
export const numberRefSchema = z.union([z.number(), z.object({ param: z.string() }).strict(), paramByRefSchema]);
export type NumberRef = z.infer<typeof numberRefSchema>;

export const delaySchema = z
  .object({
    /** Where the delay counts from: `now` (default: when the state is entered) or a path to an ISO timestamp. When the path holds nothing, the deadline is not armed. */
    from: z.string().optional(),
    businessDays: numberRefSchema.optional(),
    businessHours: numberRefSchema.optional(),
    duration: z
      .object({
        months: numberRefSchema.optional(),
        days: numberRefSchema.optional(),
        hours: numberRefSchema.optional(),
        minutes: numberRefSchema.optional(),
        seconds: numberRefSchema.optional(),
      })
      .strict()
      .optional(),
    /** Count backward from `from` instead of forward (e.g. a reminder 4 business hours before a promised time). */
    before: z.boolean().optional(),
    labels: labelsSchema.optional(),
  })
  .strict()
  .refine((d) => d.from !== undefined || d.businessDays !== undefined || d.businessHours !== undefined || d.duration !== undefined, {
    message: 'a delay needs at least one of from, businessDays, businessHours, duration',
  });
export type DelaySpec = z.infer<typeof delaySchema>;

export const recipientSchema = z
  .object({
    role: z.string().optional(),
    /** A role read at run time, e.g. `context.pendingApprovers.0` (whose turn it is). */
    roleFrom: valueRefSchema.optional(),
    /** A path to the user id, e.g. `context.assignee`. */
    user: z.string().optional(),
  })
  .strict()
  .refine((r) => r.role !== undefined || r.roleFrom !== undefined || r.user !== undefined, {
    message: 'name a role, a roleFrom, a user path, or several',
  });

export const actionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('assign'),
      /** Context key → value (a path or `{ value }`). */
      set: z.record(z.string(), valueRefSchema),
    })
    .strict(),
  z.object({ type: z.literal('increment'), path: z.string(), by: z.number().optional() }).strict(),
  /** Removes the first item of a context list (e.g. the approver whose turn has passed). */
  z.object({ type: z.literal('shift'), path: z.string() }).strict(),
  /**
   * Starts a case-level timer that outlives state changes: when the named delay falls due, the event
   * `timer.<delay>` is raised (handle it in an `on`). Starting it again re-arms it; final states cancel it.
   */
  z.object({ type: z.literal('startTimer'), delay: z.string().regex(NAME, nameMessage) }).strict(),
  z.object({ type: z.literal('cancelTimer'), delay: z.string().regex(NAME, nameMessage) }).strict(),
  z
    .object({
      type: z.literal('append'),
      path: z.string(),
      /** The item appended: field → value. */
      value: z.record(z.string(), valueRefSchema),
    })
    .strict(),
  z
    .object({
      type: z.literal('notify'),
      kind: z.enum(['reminder', 'escalation', 'info']),
      to: z.array(recipientSchema).min(1),
      template: z.string().regex(NAME, nameMessage),
      subject: labelsSchema,
      data: z.record(z.string(), valueRefSchema).optional(),
    })
    .strict(),
]);
export type ActionSpec = z.infer<typeof actionSchema>;

/** A rule of an automatic check: it passes when `holds` holds; otherwise its labels say what is wrong. */
export const ruleSchema = z
  .object({
    id: z.string().regex(NAME, nameMessage),
    holds: guardExprSchema,
    /** The violation in words; `{context.x}` / `{param.y}` are replaced by their values. */
    labels: labelsSchema,
  })
  .strict();

/**
 * An automatic step, run as an activity when a state that invokes it is entered. Its output
 * (`{ passed, violations }`) is the data of the `onDone` transition.
 */
export const taskSchema = z
  .object({
    type: z.literal('rules'),
    rules: z.array(ruleSchema).min(1),
    labels: labelsSchema.optional(),
  })
  .strict();
export type TaskSpec = z.infer<typeof taskSchema>;

/**
 * Cases of another process run side by side, one per item of a list read when the invoking state is
 * entered. When every one is finished the `onDone` transition runs, with `{ items: [{ key, caseId, state, context }] }`.
 */
export const subprocessSchema = z
  .object({
    process: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a process name is lower-case letters, digits and _'),
    /** The list: one sub-process case per distinct item. */
    forEach: valueRefSchema,
    /** The item's key (letters, digits, _ and -), unique in the list; `item.x` reads the item. */
    key: valueRefSchema,
    /** The sub-process case's start input: field → value (`item.x` reads the item). */
    input: z.record(z.string(), valueRefSchema),
    /** The event data field naming the key: an event for the sub-process sent to this case goes to that sub-process case. */
    routeBy: z.string().regex(NAME, nameMessage),
    labels: labelsSchema.optional(),
  })
  .strict();
export type SubprocessSpec = z.infer<typeof subprocessSchema>;

const partialLabels = {
  type: 'object',
  properties: { en: { type: 'string' }, 'zh-CN': { type: 'string' } },
  additionalProperties: false,
};

/**
 * For editors only (the definition format's JSON Schema; zod does not check it): a field of a payload or
 * start input schema, with its labels (`x-labels`) and the labels of its choices (`x-enum-labels`, beside
 * the `enum`). The validator of payloads ignores both; the linter warns when one is missing.
 */
export const PAYLOAD_FIELD_DOC = {
  type: 'object',
  description:
    'A field (JSON Schema). Label it in both languages: "x-labels": { "en": …, "zh-CN": … }; label each value of its "enum" under "x-enum-labels": { "<value>": { "en": …, "zh-CN": … } } (for a list of choices, in its "items"). Labels never change what is checked.',
  properties: {
    'x-labels': { ...partialLabels, description: 'the field label shown in forms and on the case page' },
    'x-enum-labels': { type: 'object', additionalProperties: partialLabels, description: 'labels of the values of "enum", by value' },
    'x-user': {
      type: 'object',
      properties: { roles: { type: 'array', items: { type: 'string' } } },
      additionalProperties: false,
      description: 'the field names a user who must exist, be active and hold one of these roles (checked by the API)',
    },
    'x-case-library': {
      type: 'boolean',
      description: 'the field (a list of strings) names entries of the case library; the API checks each exists and is not unmarked',
    },
    properties: { type: 'object', additionalProperties: { $ref: '#/$defs/PayloadField' } },
    items: { $ref: '#/$defs/PayloadField' },
  },
};

/** The JSON Schema annotation of a payload or start input schema (see PAYLOAD_FIELD_DOC). */
const payloadDoc = (what: string) => ({
  description: `JSON Schema of ${what} (an object schema); label every field with "x-labels" and every enum value with "x-enum-labels"`,
  properties: { properties: { type: 'object', additionalProperties: { $ref: '#/$defs/PayloadField' } } },
});

export const eventSchema = z
  .object({
    roles: z.array(z.string()),
    labels: labelsSchema,
    /** JSON Schema of the event's data (an object schema), its fields labelled (see PAYLOAD_FIELD_DOC). */
    payload: z.record(z.string(), z.unknown()).optional().meta(payloadDoc("the event's data")),
    description: z.string().optional(),
  })
  .strict();
export type EventSpec = z.infer<typeof eventSchema>;

export const parameterSchema = z
  .object({
    type: z.enum(['number', 'integer', 'string', 'boolean']),
    default: z.union([z.number(), z.string(), z.boolean()]),
    labels: labelsSchema,
    description: z.string().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    unit: z.string().optional(),
    /** The values a string parameter may take (e.g. `primary` or `all`). */
    enum: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type ParameterSpec = z.infer<typeof parameterSchema>;

/** A context path a task writes its assignee to: `context.<name>`. */
const CONTEXT_KEY = /^context\.[A-Za-z][A-Za-z0-9_]*$/;

/** Who may claim a task (or act on it, when no assignee is required): a role, a user or users read from the case, a role read from the case. */
export const candidateSchema = z.union([
  z.object({ role: z.string().min(1) }).strict(),
  z.object({ user: z.string().min(1) }).strict(),
  z.object({ usersFrom: z.string().min(1) }).strict(),
  z.object({ roleFrom: z.string().min(1) }).strict(),
]);
export type CandidateSpec = z.infer<typeof candidateSchema>;

/** An approval step over a list of users or roles read from the case: all of them, any one, or one after another. */
export const approvalSchema = z
  .object({
    /** The list of approvers; each item is a role name, `{ role }` or `{ user }`. */
    approvers: valueRefSchema,
    mode: z.enum(['sequence', 'all', 'any']),
    /** The definition's own events an approver sends (defaults APPROVE and REJECT). */
    approve: z.string().default('APPROVE'),
    reject: z.string().default('REJECT'),
    /** Where a current approver may add an approver (default: nowhere). */
    addApprover: z.array(z.enum(['before', 'after', 'parallel'])).default([]),
    /**
     * Whether an approval that moves the turn on tells the approvers whose turn it now is (a
     * `taskTurn` notification); the first turn is the definition's own notification, if any.
     */
    notifyEachTurn: z.boolean().default(false),
  })
  .strict();
export type ApprovalSpec = z.infer<typeof approvalSchema>;

/** A state that waits on people: who may take it, who is assigned, and the operations allowed on it. */
export const humanTaskSchema = z
  .object({
    labels: labelsSchema.optional(),
    candidates: z.array(candidateSchema).default([]),
    /** The context path holding the assignee's user id (`context.<name>`). */
    assignee: z.string().regex(CONTEXT_KEY, 'write the assignee as context.<name>').optional(),
    /** Only the assignee (or their delegate) sends the state's events, except `openEvents`. */
    assigneeOnly: z.boolean().default(false),
    openEvents: z.array(z.string()).default([]),
    /** Candidates may claim and release it (default: true when `assignee` is set). */
    claim: z.boolean().optional(),
    /** The assignee may hand it to another user (default: true when `assignee` is set). */
    transfer: z.boolean().optional(),
    /** Earlier human steps `task.return` may go back to. */
    returnTo: z.array(z.string()).default([]),
    approval: approvalSchema.optional(),
  })
  .strict();
export type HumanTaskSpec = z.infer<typeof humanTaskSchema>;

/** Where the initiator may withdraw a case from, and the final state it then ends in. */
export const withdrawalSchema = z.object({ target: z.string().min(1), from: z.array(z.string().min(1)).min(1) }).strict();
export type WithdrawalSpec = z.infer<typeof withdrawalSchema>;

/** One point an auditor checks on a sampled case (不定期抽样复核): a stable id and its words in both languages. */
export const auditChecklistItemSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a checklist item id is lower-case letters, digits and _ (e.g. "response_in_time")'),
    labels: labelsSchema,
    description: z.string().optional(),
  })
  .strict();

/**
 * What an auditor checks on each sampled case of the process, and whose work a case is (the rep a
 * sample is drawn per): the context field `repField` (default the definition's `assigneeField`, else
 * the user who started the case).
 */
export const auditChecklistSchema = z
  .object({
    repField: z.string().regex(NAME, nameMessage).optional(),
    items: z.array(auditChecklistItemSchema).min(1, 'list at least one item to check'),
  })
  .strict();
export type AuditChecklist = z.infer<typeof auditChecklistSchema>;

export const definitionSchema = z
  .object({
    $schema: z.string().optional(),
    process: z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower-case letters, digits and _ (e.g. "complaint")'),
    version: z.number().int().positive(),
    labels: labelsSchema,
    description: z.string().optional(),
    /** Roles that may start a case; none for a process that runs only as a sub-process of another. */
    startedBy: z.array(z.string()),
    /** JSON Schema of the start input (an object schema), its fields labelled (see PAYLOAD_FIELD_DOC). */
    input: z.record(z.string(), z.unknown()).meta(payloadDoc('the start input')),
    /** The input field holding the customer id (every case names its customer). */
    customerField: z.string(),
    /** The context field naming the user a case waits on (e.g. `assignee`): their inbox lists the case first. */
    assigneeField: z.string().regex(NAME, nameMessage).optional(),
    parameters: z.record(z.string().regex(NAME, nameMessage), parameterSchema).default({}),
    delays: z.record(z.string().regex(NAME, nameMessage), delaySchema).default({}),
    guards: z.record(z.string().regex(NAME, nameMessage), guardExprSchema).default({}),
    actions: z.record(z.string().regex(NAME, nameMessage), actionSchema).default({}),
    /** Words for a guard, shown when an event is refused because it does not hold. */
    guardLabels: z.record(z.string().regex(NAME, nameMessage), labelsSchema).default({}),
    /** Automatic steps a state invokes (`"invoke": { "id": name, "src": name, "onDone": … }`). */
    tasks: z.record(z.string().regex(NAME, nameMessage), taskSchema).default({}),
    /** Sub-processes a state invokes, one case per item of a list. */
    subprocesses: z.record(z.string().regex(NAME, nameMessage), subprocessSchema).default({}),
    events: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'event names are UPPER_SNAKE_CASE'), eventSchema),
    /** Roles that reassign any task of the process and may remind. */
    taskManagers: z.array(z.string()).optional(),
    /** `task.remind` at most once per task per this many minutes (default 60). */
    remindIntervalMinutes: z.number().int().positive().optional(),
    /** The initiator may withdraw the case from these states (`task.withdraw`). */
    withdrawal: withdrawalSchema.optional(),
    /** The states that wait on people, keyed by state path: their candidates, assignee, approval and allowed operations. */
    humanTasks: z.record(z.string(), humanTaskSchema).optional(),
    /** What an auditor checks on a sampled, completed case of this process, and the context field naming its rep. */
    auditChecklist: auditChecklistSchema.optional(),
    /** Completed cases of this process may be marked as typical cases in the case library (形成案例). */
    caseLibrary: z.boolean().optional(),
    /** Labels of every state, keyed by its dotted path (`analysis.reporting`). */
    stateLabels: z.record(z.string(), labelsSchema),
    /** The XState v5 machine config, data only. */
    machine: z
      .object({
        id: z.string().optional(),
        initial: z.string(),
        context: z.record(z.string(), z.unknown()).optional(),
        states: z.record(z.string(), z.unknown()),
      })
      .passthrough(),
  })
  .strict();

export type Definition = z.infer<typeof definitionSchema>;
export type DefinitionFile = z.input<typeof definitionSchema>;

/** Request and response schemas of the HTTP API (zod; described in /openapi.json). */
import { z } from 'zod';
import { INBOX_VIEWS, TOTAL_CAP, type CaseSearch } from '../adapters/postgres/case-query';
import { ROLE_NAMES } from '../engine/roles';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/;

export const caseIdSchema = z.string().min(1).max(200).regex(ID, 'a case id has letters, digits and . _ : @ - only');
export const userIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'a user id has letters, digits and . _ @ - only, starting with a letter or digit');
export const roleSchema = z.enum(ROLE_NAMES as [string, ...string[]]);
export const processIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z][a-z0-9_]*$/, 'a process id is lower-case letters, digits and _, e.g. complaint');
const shortText = z.string().min(1).max(500);
const jsonObject = z.record(z.string(), z.unknown());

export const caseParams = z.object({ caseId: caseIdSchema }).strict();
export const userParams = z.object({ userId: userIdSchema }).strict();

export const labelsOut = z.object({ en: z.string(), 'zh-CN': z.string() }).meta({ id: 'Labels' });

const caseStatus = z.enum(['open', 'completed']);

/** The fields every view of a case starts with: which case, of which process, on which version. */
const caseKey = { caseId: z.string(), processId: z.string(), definitionVersion: z.number() };

/** A case's key and where it stands: what both a case and a case in a list say. */
const caseStanding = {
  ...caseKey,
  state: z.string(),
  status: caseStatus,
  overdue: z.boolean(),
  openedAt: z.string(),
  updatedAt: z.string(),
};

export const actorOut = z.object({
  userId: z.string(),
  role: z.string(),
  onBehalfOf: z.string().optional().describe('the user whose task a delegate acted on (absent unless a delegate acted)'),
});

export const deadlineOut = z
  .object({
    id: z.string(),
    delay: z.string(),
    state: z.string(),
    dueAt: z.string(),
    overdue: z.boolean().optional(),
    labels: labelsOut.optional(),
    countedFrom: z.string().optional().describe('the instant the deadline counts from'),
    beyondCalendar: z
      .string()
      .optional()
      .describe('set when the due time lies beyond the business calendar: e.g. "counted on weekends only: the calendar ends 2026-12-31"'),
  })
  .meta({ id: 'Deadline' });

export const startBody = z
  .object({
    process: processIdSchema,
    input: jsonObject.describe("the case's start input, as the process definition's `input` schema describes it"),
  })
  .strict();

export const startedOut = z.object({ ...caseKey, state: z.string(), status: z.string() }).meta({ id: 'StartedCase' });

export const sendBody = z
  .object({
    type: z.string().min(1).max(100).describe('the event, e.g. ACCEPT'),
    data: jsonObject.optional().describe("the event's payload, as its JSON Schema in the case's allowedEvents describes it"),
  })
  .strict();

export const sendOut = z.object({ caseId: z.string(), seq: z.number(), state: z.string(), status: caseStatus }).meta({ id: 'SendResult' });

export const allowedEventOut = z
  .object({
    type: z.string(),
    labels: labelsOut.optional(),
    roles: z.array(z.string()),
    schema: jsonObject.describe("the JSON Schema of the event's payload"),
    routeTo: z
      .object({ caseId: z.string(), key: z.string(), field: z.string() })
      .optional()
      .describe('an event of a sub-process case: sent to this case with `field` = `key`, it goes to `caseId`'),
  })
  .meta({ id: 'AllowedEvent' });

export const childCaseOut = z.object({
  invokeId: z.string(),
  key: z.string(),
  caseId: z.string(),
  processId: z.string(),
  status: caseStatus,
});

export const incidentOut = z
  .object({
    id: z.string(),
    caseId: z.string(),
    processId: z.string(),
    effect: z.enum(['persistTransition', 'notify', 'runTask', 'startChild', 'transition']).describe('the kind of effect that failed'),
    seq: z.number().nullable().describe('the transition the effect belongs to, if any'),
    description: z.string(),
    error: z.object({ type: z.string(), message: z.string() }),
    attempts: z.number().describe('how often the effect has failed for good'),
    openedAt: z.string(),
  })
  .meta({ id: 'Incident' });

export const incidentsQuery = z
  .object({
    process: processIdSchema.optional(),
    case: caseIdSchema.optional().describe("only this case's incidents"),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .describe('the nextCursor of the previous page (opaque); leave it out for the first page'),
  })
  .strict();

export const retryBody = z
  .object({
    incidentId: z.string().min(1).max(300).optional().describe('one incident of the case; all of its open incidents when omitted'),
  })
  .strict();

// People's work on a case: its tasks and the operations on them.

const comment = z.string().min(1).max(2000).describe("a note kept in the case's log");
const approverRef = z
  .union([z.object({ user: userIdSchema }).strict(), z.object({ role: roleSchema }).strict()])
  .meta({ id: 'ApproverRef' });

/** The body of each task operation (`POST /cases/{caseId}/tasks/{operation}`), as the engine's `TaskOperationData`. */
export const taskOperationBodies = {
  'task.claim': z.object({ comment: comment.optional() }).strict().optional(),
  'task.release': z.object({ comment: comment.optional() }).strict().optional(),
  'task.transfer': z.object({ to: userIdSchema.describe('the user who takes the task over'), comment }).strict(),
  'task.reassign': z.object({ to: userIdSchema.describe('the user the task goes to'), comment }).strict(),
  'task.addApprover': z
    .object({
      approver: approverRef,
      position: z
        .enum(['before', 'after', 'parallel'])
        .describe('a step of their own before or after the current one, or beside the current approvers'),
      comment: comment.optional(),
    })
    .strict(),
  'task.return': z.object({ to: z.string().min(1).max(200).describe('the earlier step (its state path)'), comment }).strict(),
  'task.remind': z.object({ comment: comment.optional() }).strict().optional(),
  'task.cc': z
    .object({
      users: z.array(userIdSchema).min(1).max(50).describe('users given read access and a notification'),
      comment: comment.optional(),
    })
    .strict(),
  'task.withdraw': z.object({ comment }).strict(),
} as const;

const decisionOut = z.object({
  userId: z.string(),
  role: z.string(),
  onBehalfOf: z.string().optional(),
  at: z.string(),
  comment: z.string().optional(),
});

export const taskOut = z
  .object({
    state: z.string().describe('the state path the task belongs to'),
    labels: labelsOut.optional(),
    assignee: z.string().nullable(),
    candidates: z.object({ roles: z.array(z.string()), users: z.array(z.string()) }).describe('who may claim it (or act on it)'),
    assigneeOnly: z.boolean().describe("only the assignee (or their delegate) sends the state's events"),
    approval: z
      .object({
        mode: z.enum(['sequence', 'all', 'any']),
        steps: z.array(z.object({ members: z.array(approverRef), mode: z.enum(['all', 'any']), approved: z.array(decisionOut) })),
        current: z.number().int().describe('the index of the current step; earlier ones are done'),
      })
      .optional(),
    operations: z.array(z.string()).describe('the operations the definition allows on this task'),
  })
  .meta({ id: 'Task' });

export const workOut = z
  .object({
    tasks: z.array(taskOut),
    initiator: z.string().nullable(),
    cc: z.array(z.string()),
    allowedOperations: z
      .array(z.string())
      .describe('the task operations (task.claim, …) the caller’s role may perform now; who may is checked again when one is sent'),
  })
  .meta({ id: 'Work' });

export const caseOut = z
  .object({
    ...caseStanding,
    definitionHash: z.string(),
    stateLabels: labelsOut.optional(),
    customerId: z.string().optional().describe("the case's customer (see GET /customers/{customerId}/timeline)"),
    context: jsonObject,
    deadlines: z.array(deadlineOut),
    seq: z.number(),
    storedSeq: z.number().describe('the last seq whose row is in the transition log (history reads see up to it)'),
    role: z.string(),
    allowedEvents: z.array(allowedEventOut).describe('the events the caller, in its role, may send now'),
    children: z.array(childCaseOut).describe('sub-process cases this case started'),
    parent: z.object({ caseId: z.string(), invokeId: z.string(), key: z.string() }).optional().describe('the case this one runs under'),
    incidents: z
      .array(incidentOut)
      .describe('effects that failed for good; while one is open the case takes no events, until an admin retries it'),
    work: workOut
      .optional()
      .describe('what the case waits on, person by person (cases of definitions with tasks); task operations are not in allowedEvents'),
  })
  .meta({ id: 'Case' });

export const caseSummaryOut = z
  .object({
    ...caseStanding,
    customerId: z.string(),
    nextDueAt: z.string().nullable(),
    closedAt: z.string().nullable(),
  })
  .meta({ id: 'CaseSummary' });

export const inboxItemOut = caseSummaryOut
  .extend({
    allowedEvents: z.array(z.string()),
    assignedToMe: z.boolean(),
    assignee: z.string().nullable(),
  })
  .meta({ id: 'InboxItem' });

export const transitionOut = z
  .object({
    ...caseKey,
    seq: z.number(),
    definitionHash: z.string(),
    event: z.string(),
    payload: jsonObject,
    actor: actorOut,
    requestId: z.string().nullable(),
    fromState: z.string().nullable(),
    toState: z.string(),
    status: caseStatus,
    at: z.string(),
    prevHash: z.string().nullable().optional(),
    hash: z.string().nullable().optional(),
  })
  .meta({ id: 'Transition' });

/** The `cursor` of a paged list. */
export const cursor = z
  .string()
  .min(1)
  .max(2000)
  .optional()
  .describe('the nextCursor of the previous page (opaque); leave it out for the first page');

/** The `nextCursor` of a paged list's answer. */
export const nextCursor = z.string().nullable().describe('pass as cursor for the next page; null on the last page');

const boolString = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();
const isoString = z.iso.datetime({ offset: true, message: 'use an ISO timestamp such as 2026-01-31T00:00:00+08:00' }).optional();
const limit = (max: number, def: number) => z.coerce.number().int().min(1).max(max).default(def);

export const searchQuery = z
  .object({
    process: processIdSchema.optional(),
    state: shortText.optional(),
    status: caseStatus.optional(),
    customer: shortText.optional(),
    actor: userIdSchema.optional().describe('a user who acted on the case'),
    openedFrom: isoString.describe('cases opened at or after this instant'),
    openedTo: isoString.describe('cases opened before this instant'),
    overdue: boolString,
    limit: limit(500, 50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

/** The search parameters of a request as the case query's filter. */
export function toCaseSearch(q: z.infer<typeof searchQuery>): CaseSearch {
  return {
    ...(q.process !== undefined && { processId: q.process }),
    ...(q.state !== undefined && { state: q.state }),
    ...(q.status !== undefined && { status: q.status }),
    ...(q.customer !== undefined && { customerId: q.customer }),
    ...(q.actor !== undefined && { actorUserId: q.actor }),
    ...(q.openedFrom !== undefined && { openedFrom: new Date(q.openedFrom) }),
    ...(q.openedTo !== undefined && { openedTo: new Date(q.openedTo) }),
    ...(q.overdue !== undefined && { overdue: q.overdue }),
    limit: q.limit,
    offset: q.offset,
  };
}

export const exportQuery = searchQuery
  .extend({
    format: z.enum(['json', 'csv']).default('json'),
    limit: limit(500, 100),
    offset: searchQuery.shape.offset.describe('older clients: skip this many cases (not with a cursor; prefer the cursor)'),
    cursor: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .describe('the Docket-Next-Cursor header of the previous export (opaque); leave it out for the first'),
  })
  .strict();
export const formatQuery = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();

/** The search of `GET /cases`, paged by cursor (an offset is still taken, but not with a cursor). */
export const searchPageQuery = searchQuery.extend({ cursor }).strict();

export const inboxQuery = z
  .object({
    view: z
      .enum(INBOX_VIEWS)
      .default('actionable')
      .describe(
        'actionable: open cases my role may act on now (an event of my role is accepted in the case’s state, and its conditions may hold on the case’s data; conditions on the payload, the user or the time are checked when it is sent) · assigned: waiting on me (my task, my turn to approve), or on someone who delegated to me for now · claimable: a task my role or I may claim, no one assigned · started: started by me · done: cases I sent an event to · cc: cases I was cc’d on',
      ),
    mine: boolString.describe('with view=actionable: only cases that name the caller (e.g. as assignee)'),
    process: processIdSchema.optional(),
    state: shortText.optional(),
    customer: shortText.optional(),
    overdue: boolString,
    limit: limit(500, 100),
    cursor,
  })
  .strict();

/** A total counted up to a cap, and whether the count stopped there. */
export const totalFields = {
  total: z
    .number()
    .int()
    .describe(
      `how many match, on every page, counted up to ${TOTAL_CAP}: when more match, total is ${TOTAL_CAP} and totalCapped is true (show "${TOTAL_CAP}+")`,
    ),
  totalCapped: z.boolean().describe(`true when more than ${TOTAL_CAP} match: the count stopped at ${TOTAL_CAP}`),
};

/** A page of a case list: how many match in all, and the cursor of the next page (null on the last). */
export const pageFields = { ...totalFields, nextCursor };

export const timelineParams = z.object({ customerId: z.string().min(1).max(500) }).strict();
export const timelineQuery = z.object({ limit: limit(1000, 200), cursor }).strict();

/** A case's history, oldest first, a page at a time. */
export const historyQuery = z.object({ limit: limit(1000, 500), cursor }).strict();

export const chainProblemOut = z.object({
  seq: z.number(),
  kind: z.enum(['changed', 'removed', 'reordered', 'inserted', 'unsealed', 'definition', 'unsigned', 'forged', 'unknown-key']),
  message: z.string(),
  trail: z.literal('annotations').optional().describe("set when the problem is in the case's annotations (seq is the annotation's)"),
});

export const verificationOut = z
  .object({
    caseId: z.string(),
    ok: z.boolean(),
    algorithm: z.string(),
    rows: z.number(),
    headHash: z.string().nullable(),
    signatures: z.enum(['verified', 'unchecked']),
    signedRows: z.number(),
    unsignedRows: z.number().describe('rows written before keyed audit, vouched for by a signed checkpoint'),
    keyIds: z.array(z.string()),
    keysFrom: z
      .enum(['pinned', 'database', 'none'])
      .optional()
      .describe("'pinned': the public keyring file; 'database': docket.audit_keys (no keyring file configured)"),
    problem: chainProblemOut.optional(),
    annotations: z
      .object({ ok: z.boolean(), rows: z.number(), headHash: z.string().nullable(), signedRows: z.number(), algorithm: z.string() })
      .optional()
      .describe("the case's annotations (auditors' notes and reviews): their own chain, anchored on the transitions, each signed"),
    deep: z
      .object({ ok: z.boolean(), applied: z.number(), pending: z.array(z.number()), problems: z.array(chainProblemOut) })
      .optional()
      .describe("?deep=true: the rows against the case's Temporal history"),
  })
  .meta({ id: 'ChainVerification' });

export const verifyQuery = z
  .object({ deep: boolString.describe("also cross-check the rows against the case's Temporal history (auditors)") })
  .strict();

export const verifyAllOut = z.object({ ok: z.boolean(), checked: z.number(), broken: z.array(verificationOut) });

export const newUserBody = z
  .object({
    userId: userIdSchema,
    displayName: z.string().min(1).max(200),
    email: z.email().max(320).optional(),
    roles: z.array(roleSchema).min(1).max(ROLE_NAMES.length),
  })
  .strict();

export const userOut = z
  .object({
    userId: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    roles: z.array(z.string()),
    status: z.enum(['active', 'disabled']),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User' });

export const tokenOut = z
  .object({
    token: z.string().describe('shown once: store it now'),
    tokenId: z.string(),
    userId: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'IssuedToken' });

/** Who did something to a record and when (`revokedBy`, `revokedAt`): both null until it happens. */
const doneBy = <V extends string>(verb: V) =>
  ({ [`${verb}By`]: z.string().nullable(), [`${verb}At`]: z.string().nullable() }) as Record<
    `${V}By` | `${V}At`,
    z.ZodNullable<z.ZodString>
  >;

/** A token as listed: never its secret. */
export const tokenInfoOut = z
  .object({
    tokenId: z.string(),
    userId: z.string(),
    createdAt: z.string(),
    issuedBy: z.string().nullable().describe('the admin who issued it (null: created at first start)'),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().describe('when it last authenticated a request (written at most once a minute)'),
    ...doneBy('revoked'),
    status: z.enum(['active', 'expired', 'revoked']),
  })
  .meta({ id: 'TokenInfo' });

export const securityQuery = z
  .object({ user: userIdSchema.optional(), caseId: caseIdSchema.optional(), limit: limit(1000, 100), cursor })
  .strict();

// Definitions and processes.

export const problemOut = z
  .object({ code: z.string(), path: z.string(), message: z.string(), messageZh: z.string().describe('the message in Chinese (zh-CN)') })
  .meta({ id: 'Problem' });

/** Warnings: what should be fixed but does not stop publishing (e.g. a payload field without labels). */
const warningsOut = z.array(problemOut).describe('what should be fixed but does not stop publishing (e.g. a field without labels)');

/** Which version of which process, whether it is published, and its hash. */
const versionKey = { processId: z.string(), version: z.number(), status: z.enum(['draft', 'published']), hash: z.string() };

export const versionInfoOut = z
  .object({
    ...versionKey,
    createdBy: z.string(),
    createdAt: z.string(),
    ...doneBy('published'),
    openCases: z.number(),
  })
  .meta({ id: 'DefinitionVersion' });

export const diffOut = z
  .object({
    process: z.string(),
    from: z.number(),
    to: z.number(),
    changes: z.array(
      z.object({
        area: z.string(),
        change: z.enum(['added', 'removed', 'changed']),
        name: z.string(),
        text: z.string(),
        textZh: z.string().describe('the sentence in Chinese (zh-CN)'),
        before: z.unknown().optional(),
        after: z.unknown().optional(),
      }),
    ),
  })
  .meta({ id: 'DefinitionDiff' });

export const draftOut = z
  .object({ draft: versionInfoOut, ok: z.boolean(), problems: z.array(problemOut), warnings: warningsOut, diff: diffOut.optional() })
  .meta({ id: 'DraftResult' });

export const impactOut = z
  .object({
    processId: z.string(),
    replacedVersion: z.number().nullable(),
    newVersion: z.number(),
    byState: z.array(z.object({ state: z.string(), count: z.number() })),
    inRemovedStates: z.array(z.object({ caseId: z.string(), version: z.number(), state: z.string() })),
    olderVersions: z.array(z.object({ version: z.number(), count: z.number() })),
  })
  .meta({ id: 'PublishImpact' });

export const listedDefinitionOut = z
  .object({ processId: z.string(), version: z.number(), hash: z.string(), labels: labelsOut })
  .meta({ id: 'ListedDefinition' });

export const processOut = z
  .object({
    processId: z.string(),
    version: z.number(),
    labels: labelsOut,
    description: z.string().optional(),
    canStart: z.boolean(),
    input: z.record(z.string(), z.unknown()),
    stateLabels: z.record(z.string(), labelsOut),
    events: z.record(z.string(), z.object({ labels: labelsOut, roles: z.array(z.string()) })),
  })
  .meta({ id: 'Process' });

/** Whether a definition passes the linter, and what it finds. */
export const validationOut = z.object({ ok: z.boolean(), problems: z.array(problemOut), warnings: warningsOut }).meta({ id: 'Validation' });

export const versionOut = validationOut.extend({ ...versionKey, definition: z.unknown() }).meta({ id: 'DefinitionVersionRead' });

export const publishOut = z
  .object({
    published: versionInfoOut.optional(),
    impact: impactOut,
    diff: diffOut.optional(),
    dryRun: z.boolean(),
  })
  .meta({ id: 'PublishResult' });

export const retryOut = z
  .object({ caseId: z.string(), resolved: z.array(z.string()), open: z.array(incidentOut) })
  .meta({ id: 'RetryResult' });

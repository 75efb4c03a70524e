/**
 * The complaint process written by hand as a Temporal workflow: the baseline the
 * benchmark compares Docket's generic interpreter with. Not part of the product.
 *
 * It does what the complaint definition does — the same states and events, the same
 * context fields, the same deadlines per state on the same business calendar — with
 * the same activities (`persistTransition` with real transition rows and projections,
 * `notify`) and the same Update and Query, so the two can be driven by one client.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { DocketActivities } from '../../activities';
import calendarJson from '../../calendars/cn.json';
import { addBusinessDays } from '../../engine/calendar/business-days';
import { addBusinessHours } from '../../engine/calendar/business-hours';
import {
  SYSTEM_ACTOR,
  type Actor,
  type CalendarData,
  type CaseStatus,
  type Deadline,
  type Notification,
  type NotificationKind,
} from '../../engine/types';
import { sendEventUpdate, statusQuery, type CaseStatusView, type SendEventRequest, type SendResult } from '../../workflows/messages';

const { persistTransition, notify } = proxyActivities<DocketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const calendar = calendarJson as CalendarData;
const PROCESS = 'complaint';
const VERSION = 1;
const HASH = 'handwritten';
const APPROVAL_LIMIT = 5000;

type State =
  'received' | 'investigating' | 'planning' | 'awaitingApproval' | 'communicating' | 'executing' | 'followingUp' | 'closed' | 'withdrawn';
type Ctx = Record<string, unknown>;

export interface HandwrittenInput {
  caseId: string;
  input: Record<string, unknown>;
  startedBy: Actor;
  carried?: { state: State; ctx: Ctx; seq: number; timers: Deadline[]; openedAt: string; updatedAt: string };
}

export interface HandwrittenResult {
  caseId: string;
  state: string;
  status: CaseStatus;
  seq: number;
}

const ROLES: Record<string, string[]> = {
  ACCEPT: ['cs_agent'],
  LOG_CONTACT: ['handler', 'cs_agent'],
  SUBMIT_FINDINGS: ['handler'],
  PROPOSE_RESOLUTION: ['handler'],
  APPROVE: ['service_manager'],
  REJECT: ['service_manager'],
  CUSTOMER_ACCEPTED: ['cs_agent', 'handler'],
  CUSTOMER_REJECTED: ['cs_agent', 'handler'],
  RESOLUTION_EXECUTED: ['handler'],
  CUSTOMER_SATISFIED: ['cs_agent'],
  CUSTOMER_UNSATISFIED: ['cs_agent'],
  WITHDRAW: ['cs_agent'],
};

/** Events each open state accepts (WITHDRAW is accepted everywhere). */
const ACCEPTS: Record<State, string[]> = {
  received: ['ACCEPT'],
  investigating: ['LOG_CONTACT', 'SUBMIT_FINDINGS'],
  planning: ['LOG_CONTACT', 'PROPOSE_RESOLUTION'],
  awaitingApproval: ['APPROVE', 'REJECT'],
  communicating: ['LOG_CONTACT', 'CUSTOMER_ACCEPTED', 'CUSTOMER_REJECTED'],
  executing: ['LOG_CONTACT', 'RESOLUTION_EXECUTED'],
  followingUp: ['LOG_CONTACT', 'CUSTOMER_SATISFIED', 'CUSTOMER_UNSATISFIED'],
  closed: [],
  withdrawn: [],
};

/** Required payload fields: name → expected type. */
const REQUIRED: Record<string, Record<string, 'string' | 'number'>> = {
  ACCEPT: { department: 'string', assignee: 'string' },
  LOG_CONTACT: { channel: 'string', summary: 'string' },
  SUBMIT_FINDINGS: { findings: 'string', customerExpectation: 'string' },
  PROPOSE_RESOLUTION: { proposal: 'string', compensationAmount: 'number' },
  REJECT: { reason: 'string' },
  CUSTOMER_REJECTED: { reason: 'string' },
  RESOLUTION_EXECUTED: { summary: 'string' },
  CUSTOMER_SATISFIED: { score: 'number' },
  CUSTOMER_UNSATISFIED: { reason: 'string' },
  WITHDRAW: { reason: 'string' },
};

const FINAL: ReadonlySet<State> = new Set(['closed', 'withdrawn']);

function accepts(state: State, type: string): boolean {
  return !FINAL.has(state) && (type === 'WITHDRAW' || ACCEPTS[state].includes(type));
}

function refuse(code: string, message: string): never {
  throw ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

export async function handwrittenComplaintWorkflow(input: HandwrittenInput): Promise<HandwrittenResult> {
  const { caseId } = input;
  const customerId = typeof input.input.customer === 'string' ? input.input.customer : JSON.stringify(input.input.customer ?? '');
  let state: State = input.carried?.state ?? 'received';
  let ctx: Ctx = input.carried?.ctx ?? { proposals: 0, reopenings: 0, customerRejections: 0, contacts: [], ...input.input };
  let seq = input.carried?.seq ?? 0;
  let storedSeq = input.carried ? seq : -1;
  const openedAt = input.carried?.openedAt ?? new Date(Date.now()).toISOString();
  let updatedAt = input.carried?.updatedAt ?? openedAt;
  const timers = new Map<string, { deadline: Deadline; scope: CancellationScope }>();
  let effects: Promise<void> = Promise.resolve();
  let pending = 0;

  const status = (): CaseStatus => (FINAL.has(state) ? 'completed' : 'open');
  const deadlines = () => [...timers.values()].map((t) => t.deadline);

  /** Stores a transition row and the projection, then sends its notifications; resolves once the row is stored. */
  const record = (event: string, payload: Record<string, unknown>, actor: Actor, fromState: State | null, notes: Notification[] = []) => {
    const at = new Date(Date.now()).toISOString();
    updatedAt = at;
    const done = status() === 'completed';
    const rec = {
      caseId,
      seq,
      processId: PROCESS,
      definitionVersion: VERSION,
      definitionHash: HASH,
      event,
      payload,
      actor,
      requestId: null,
      fromState,
      toState: state,
      status: status(),
      at,
    };
    const projection = {
      caseId,
      processId: PROCESS,
      definitionVersion: VERSION,
      definitionHash: HASH,
      customerId,
      state,
      status: status(),
      context: ctx,
      deadlines: deadlines(),
      lastSeq: seq,
      openedAt,
      updatedAt: at,
      closedAt: done ? at : null,
    };
    pending += 1;
    const stored = effects.then(async () => {
      await persistTransition({ record: rec, projection });
      storedSeq = rec.seq;
    });
    effects = stored
      .then(() => Promise.all(notes.map((n) => notify({ ...n, id: `${caseId}:${rec.seq}:${notes.indexOf(n)}`, createdAt: at }))))
      .then(() => {
        pending -= 1;
      });
    return stored;
  };

  const note = (
    kind: NotificationKind,
    template: string,
    to: Notification['to'],
    en: string,
    zh: string,
    data: Record<string, unknown>,
  ): Notification => ({
    id: '',
    caseId,
    processId: PROCESS,
    kind,
    to,
    template,
    subject: { en, 'zh-CN': zh },
    data: { state, ...data },
    createdAt: '',
  });
  const handlerAndAssignee = () => [
    { role: 'handler', ...(typeof ctx.assignee === 'string' && ctx.assignee ? { userId: ctx.assignee } : {}) },
  ];

  /** What a deadline does when it falls due; returns the notifications it raises, or none. */
  const fire = (delay: string): Notification[] => {
    switch (delay) {
      case 'acceptDue':
        return [
          note('escalation', 'acceptanceOverdue', [{ role: 'service_manager' }], 'Complaint not accepted in time', '投诉未按时受理', {
            customer: ctx.customer,
            severity: ctx.severity,
          }),
        ];
      case 'investigationReminder':
        return [
          note('reminder', 'investigationDue', handlerAndAssignee(), 'Complaint investigation is due', '投诉调查核实已到期', {
            department: ctx.department,
          }),
        ];
      case 'investigationEscalation':
        return [
          note(
            'escalation',
            'investigationOverdue',
            [{ role: 'service_manager' }],
            'Complaint investigation is overdue',
            '投诉调查核实已超时',
            {
              department: ctx.department,
              assignee: ctx.assignee,
            },
          ),
        ];
      case 'promiseReminder':
        if (ctx.promiseReminded) return [];
        ctx = { ...ctx, promiseReminded: true };
        return [
          note(
            'reminder',
            'promiseDueSoon',
            handlerAndAssignee(),
            'A response promised to the customer is due soon',
            '对客户的答复承诺即将到期',
            { promisedResponseBy: ctx.promisedResponseBy },
          ),
        ];
      case 'promiseDue':
        if (ctx.promiseBreached) return [];
        ctx = { ...ctx, promiseBreached: true };
        return [
          note(
            'escalation',
            'promiseBroken',
            [...handlerAndAssignee(), { role: 'service_manager' }],
            'A response promised to the customer was not kept',
            '对客户的答复承诺已逾期',
            {
              promisedResponseBy: ctx.promisedResponseBy,
            },
          ),
        ];
      case 'followUpReminder':
        return [
          note('reminder', 'followUpDue', [{ role: 'cs_agent' }], 'Ask the customer whether they are satisfied', '请回访客户满意度', {}),
        ];
      default:
        return [];
    }
  };

  const arm = (deadline: Deadline) => {
    const scope = new CancellationScope();
    timers.set(deadline.id, { deadline, scope });
    scope
      .run(() => sleep(Math.max(1, Date.parse(deadline.dueAt) - Date.now())))
      .then(
        () => {
          if (timers.get(deadline.id)?.scope !== scope) return;
          timers.delete(deadline.id);
          if (status() !== 'open') return;
          const notes = fire(deadline.delay);
          if (notes.length === 0) return;
          seq += 1;
          void record(`after:${deadline.delay}`, {}, SYSTEM_ACTOR, state, notes);
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  };

  /** The deadlines a state arms when it is entered. */
  const enter = (s: State) => {
    const now = Date.now();
    const at = (delay: string, due: number | undefined) => {
      if (due === undefined) return;
      arm({ id: `${delay}.${s}`, delay, state: s, dueAt: new Date(Math.max(due, now)).toISOString() });
    };
    const promised = typeof ctx.promisedResponseBy === 'string' ? Date.parse(ctx.promisedResponseBy) : undefined;
    const promise = () => {
      if (promised === undefined || Number.isNaN(promised)) return;
      if (!ctx.promiseReminded) at('promiseReminder', addBusinessHours(calendar, promised, -4));
      if (!ctx.promiseBreached) at('promiseDue', promised);
    };
    switch (s) {
      case 'received':
        at('acceptDue', addBusinessDays(calendar, now, 1));
        break;
      case 'investigating':
        at('investigationReminder', addBusinessDays(calendar, now, 3));
        at('investigationEscalation', addBusinessDays(calendar, now, 4));
        promise();
        break;
      case 'planning':
      case 'awaitingApproval':
        promise();
        break;
      case 'followingUp':
        at('followUpReminder', addBusinessDays(calendar, now, 2));
        break;
      default:
        break;
    }
  };

  const goTo = (s: State) => {
    for (const id of [...timers.keys()]) {
      timers.get(id)?.scope.cancel();
      timers.delete(id);
    }
    state = s;
    if (!FINAL.has(s)) enter(s);
  };

  // Before the handlers: an Update that came with the start is handled as soon as its handler is set.
  if (input.carried) {
    input.carried.timers.forEach(arm);
  } else {
    enter(state);
    void record('xstate.init', input.input, input.startedBy, null);
  }

  const validate = (req: SendEventRequest) => {
    const roles = ROLES[req.type];
    if (!roles) refuse('UnknownEvent', `"${req.type}" is not an event of the complaint process`);
    if (!roles.includes(req.actor.role)) refuse('Forbidden', `role "${req.actor.role}" may not send ${req.type}`);
    const data = req.data ?? {};
    for (const [field, type] of Object.entries(REQUIRED[req.type] ?? {})) {
      if (typeof data[field] !== type || data[field] === '') refuse('ValidationError', `${req.type}: ${field} must be a ${type}`);
    }
    if (FINAL.has(state)) refuse('CaseClosed', `the case is finished (state "${state}")`);
    if (!accepts(state, req.type)) refuse('NotAllowedInState', `${req.type} is not allowed in state "${state}"`);
  };

  setHandler(
    sendEventUpdate,
    async (req: SendEventRequest): Promise<SendResult> => {
      const data = req.data ?? {};
      const from = state;
      const now = new Date(Date.now()).toISOString();
      const set = (patch: Ctx) => (ctx = { ...ctx, ...patch });
      const count = (field: string) => set({ [field]: (typeof ctx[field] === 'number' ? ctx[field] : 0) + 1 });
      switch (req.type) {
        case 'WITHDRAW':
          set({ withdrawalReason: data.reason, withdrawnBy: req.actor.userId });
          goTo('withdrawn');
          break;
        case 'ACCEPT':
          set({
            department: data.department,
            assignee: data.assignee,
            promisedResponseBy: data.promisedResponseBy,
            acceptedBy: req.actor.userId,
            acceptedAt: now,
          });
          goTo('investigating');
          break;
        case 'LOG_CONTACT':
          set({
            contacts: [
              ...(ctx.contacts as unknown[]),
              { channel: data.channel, summary: data.summary, by: req.actor.userId, role: req.actor.role, at: now },
            ],
          });
          break;
        case 'SUBMIT_FINDINGS':
          set({ findings: data.findings, customerExpectation: data.customerExpectation });
          goTo('planning');
          break;
        case 'PROPOSE_RESOLUTION':
          set({ proposal: data.proposal, compensationAmount: data.compensationAmount });
          count('proposals');
          goTo((data.compensationAmount as number) > APPROVAL_LIMIT ? 'awaitingApproval' : 'communicating');
          break;
        case 'APPROVE':
          set({ approvedBy: req.actor.userId, approvedAt: now });
          goTo('communicating');
          break;
        case 'REJECT':
          set({ approvalRejectionReason: data.reason });
          goTo('planning');
          break;
        case 'CUSTOMER_ACCEPTED':
          goTo('executing');
          break;
        case 'CUSTOMER_REJECTED':
          set({ customerRejectionReason: data.reason });
          count('customerRejections');
          goTo('planning');
          break;
        case 'RESOLUTION_EXECUTED':
          set({ executionSummary: data.summary });
          goTo('followingUp');
          break;
        case 'CUSTOMER_SATISFIED':
          set({ satisfactionScore: data.score, satisfactionComment: data.comment });
          goTo('closed');
          break;
        case 'CUSTOMER_UNSATISFIED':
          set({ lastUnsatisfiedReason: data.reason });
          count('reopenings');
          goTo('investigating');
          break;
      }
      seq += 1;
      const answer: SendResult = { caseId, seq, state, status: status() };
      await record(req.type, data, req.actor, from);
      return answer;
    },
    { validator: validate },
  );

  setHandler(statusQuery, (role?: string): CaseStatusView => ({
    caseId,
    processId: PROCESS,
    definitionVersion: VERSION,
    definitionHash: HASH,
    state,
    status: status(),
    incidents: [],
    context: ctx,
    deadlines: deadlines(),
    allowedEvents: Object.keys(ROLES).filter((type) => accepts(state, type) && (role === undefined || ROLES[type]!.includes(role))),
    seq,
    storedSeq,
    children: [],
    openedAt,
    updatedAt,
  }));

  for (;;) {
    await condition(() => status() === 'completed' || workflowInfo().continueAsNewSuggested);
    await condition(() => allHandlersFinished() && pending === 0);
    await effects;
    if (!allHandlersFinished() || pending > 0) continue;
    if (status() === 'completed') return { caseId, state, status: status(), seq };
    return continueAsNew<typeof handwrittenComplaintWorkflow>({
      ...input,
      carried: { state, ctx, seq, timers: deadlines(), openedAt, updatedAt },
    });
  }
}

import type { CaseClient } from '../client/http-client';
import type { TransitionRecord } from '../engine/types';
import type { CaseStatusView, SendResult } from '../workflows/messages';
import { readJsonObject } from './args';
import type { CliContext } from './context';
import { EXIT_OK } from './errors';
import { bothLabels, compactValue, keyValues, localTime, relativeTime, table } from './format';
import { describeState, EMPTY_BOOK, eventLabel, labelBook, type LabelBook } from './labels';
import { ownValue } from '../engine/own';
import { isTaskOperation } from '../engine/work-types';

export interface StartOptions {
  input: string;
  as: string;
  requestId?: string;
}

export interface SendOptions {
  data?: string;
  as: string;
  requestId?: string;
}

/** The labels of the definition a case runs on; output without labels rather than failing. */
export async function caseLabels(docket: CaseClient, caseId: string): Promise<LabelBook> {
  try {
    return labelBook(await docket.caseDefinition(caseId));
  } catch {
    return EMPTY_BOOK;
  }
}

export async function startCommand(ctx: CliContext, processId: string, opts: StartOptions): Promise<number> {
  const actor = ctx.actor(opts.as);
  const input = readJsonObject(opts.input, '--input', ctx.cwd);
  const started = await ctx.withCases(async (docket) => {
    const result = await docket.startCase(processId, input, actor, opts.requestId ? { requestId: opts.requestId } : {});
    const published = ctx.json ? undefined : await docket.definitions.latest(processId);
    return { result, book: published ? labelBook(published.raw) : EMPTY_BOOK };
  });
  const { result, book } = started;
  ctx.print({ caseId: result.caseId, state: result.state }, () => {
    const process = bothLabels(book.process);
    return (
      `Started case ${result.caseId}\n` +
      keyValues(
        [
          ['Process', `${result.processId} v${result.definitionVersion}${process ? ` · ${process}` : ''}`],
          ['State', describeState(book, result.state)],
          ['Status', result.status],
          ['Started by', `${actor.userId} (${actor.role})`],
        ],
        '  ',
      )
    );
  });
  return EXIT_OK;
}

export async function sendCommand(ctx: CliContext, caseId: string, event: string, opts: SendOptions): Promise<number> {
  const actor = ctx.actor(opts.as);
  const data = opts.data === undefined ? undefined : readJsonObject(opts.data, '--data', ctx.cwd);
  const { result, book } = await ctx.withCases(async (docket) => {
    const sent = await docket.send(caseId, {
      type: event,
      actor,
      ...(data !== undefined && { data }),
      ...(opts.requestId !== undefined && { requestId: opts.requestId }),
    });
    return { result: sent, book: ctx.json ? EMPTY_BOOK : await caseLabels(docket, caseId) };
  });
  printApplied(ctx, caseId, event, result, book, opts.requestId);
  return EXIT_OK;
}

/** What an applied event (or task operation) did: its label, the case's new state, status and seq (with --json, those three). */
export function printApplied(
  ctx: CliContext,
  caseId: string,
  event: string,
  result: SendResult,
  book: LabelBook,
  requestId: string | undefined,
): void {
  ctx.print({ state: result.state, status: result.status, seq: result.seq }, () => {
    const label = eventLabel(book, event);
    // A request id already applied answers with the first answer; the event counts once.
    const head = `${event}${label ? ` (${label})` : ''} applied to ${caseId}${requestId !== undefined ? ` (request id "${requestId}")` : ''}\n`;
    return (
      head +
      keyValues(
        [
          ['State', describeState(book, result.state)],
          ['Status', result.status],
          ['Seq', String(result.seq)],
        ],
        '  ',
      )
    );
  });
}

export async function statusCommand(ctx: CliContext, caseId: string, opts: { as?: string }): Promise<number> {
  const actor = opts.as === undefined ? undefined : ctx.actor(opts.as);
  const calendar = await ctx.calendar();
  const { view, book } = await ctx.withCases(async (docket) => {
    const [status, labels] = await Promise.all([docket.status(caseId, actor?.role), caseLabels(docket, caseId)]);
    return { view: status, book: labels };
  });
  const json = {
    ...view,
    timeZone: calendar.timeZone,
    deadlines: view.deadlines.map((d) => ({ ...d, dueAtLocal: localTime(calendar, d.dueAt) })),
  };
  const asker = actor ?? (ctx.mode() === 'api' ? 'token' : undefined);
  ctx.print(json, () => formatStatus(view, book, calendar.timeZone, (iso) => localTime(calendar, iso), ctx.now(), asker));
  return EXIT_OK;
}

function formatStatus(
  view: CaseStatusView,
  book: LabelBook,
  timeZone: string,
  local: (iso: string) => string,
  now: number,
  actor: { userId: string; role: string } | 'token' | undefined,
): string {
  const process = bothLabels(book.process);
  let out = keyValues([
    ['Case', view.caseId],
    ['Process', `${view.processId} v${view.definitionVersion}${process ? ` · ${process}` : ''} · hash ${view.definitionHash.slice(0, 12)}`],
    ['State', describeState(book, view.state)],
    ['Status', view.status],
    ['Opened', `${local(view.openedAt)} (${timeZone}) · ${view.openedAt}`],
    ['Updated', `${local(view.updatedAt)} (${timeZone}) · ${view.updatedAt}`],
    ['Seq', String(view.seq)],
  ]);

  const context = Object.entries(view.context);
  out += '\nContext\n';
  out += context.length
    ? keyValues(
        context.map(([k, v]) => [k, compactValue(v, 100)]),
        '  ',
      )
    : '  (empty)\n';

  out += `\nDeadlines\n`;
  if (view.deadlines.length === 0) out += '  (none armed)\n';
  else {
    const deadlines = [...view.deadlines].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    out += table(
      ['DELAY', 'LABEL', 'STATE', `DUE (${timeZone})`, 'DUE (ISO)', ''],
      deadlines.map((d) => [
        d.delay,
        bothLabels(ownValue(book.delays, d.delay)),
        d.state,
        local(d.dueAt),
        d.dueAt,
        relativeTime(d.dueAt, now),
      ]),
    );
  }

  out +=
    actor === 'token'
      ? '\nAllowed events for you (the user and role of your token)\n'
      : actor
        ? `\nAllowed events for ${actor.userId} (${actor.role})\n`
        : '\nAccepted events (any role; use --as to see one role’s)\n';
  if (view.allowedEvents.length === 0) out += view.status === 'completed' ? '  (none: the case is finished)\n' : '  (none)\n';
  else {
    out += table(
      ['EVENT', 'LABEL', 'ROLES'],
      view.allowedEvents.map((e) => [e, bothLabels(ownValue(book.events, e)?.labels), (ownValue(book.events, e)?.roles ?? []).join(', ')]),
    );
  }
  return out;
}

export async function historyCommand(ctx: CliContext, caseId: string): Promise<number> {
  const calendar = await ctx.calendar();
  const rows = await ctx.withCases((docket) => docket.history(caseId));
  ctx.print(rows, () => formatHistory(caseId, rows, calendar.timeZone, (iso) => localTime(calendar, iso)));
  return EXIT_OK;
}

function formatHistory(caseId: string, rows: TransitionRecord[], timeZone: string, local: (iso: string) => string): string {
  const first = rows[0];
  const head = first ? `History of ${caseId} (${first.processId})\n` : `History of ${caseId}\n`;
  if (rows.length === 0) return `${head}  (no transitions stored yet)\n`;
  return (
    head +
    table(
      ['SEQ', `TIME (${timeZone})`, 'ACTOR', 'EVENT', 'FROM → TO', 'VER', 'PAYLOAD'],
      rows.map((r) => [
        String(r.seq),
        local(r.at).replace(/ [+-]\d{2}:\d{2}$/, ''),
        (r.actor.role === r.actor.userId ? r.actor.userId : `${r.actor.userId}:${r.actor.role}`) +
          (r.actor.onBehalfOf !== undefined ? ` for ${r.actor.onBehalfOf}` : ''),
        // Task operations are no event of the definition: their names are said in words.
        isTaskOperation(r.event) ? `${r.event} (${eventLabel(EMPTY_BOOK, r.event)})` : r.event,
        `${r.fromState ?? '(start)'} → ${r.toState}${r.status === 'completed' ? ' (final)' : ''}`,
        `v${r.definitionVersion}`,
        Object.keys(r.payload).length ? compactValue(r.payload, 60) : '',
      ]),
    )
  );
}

/**
 * The `adoptCalendar` Update: a newer published version of the case's calendar reaches the
 * case. Its running deadlines are recounted on it from the instants they count from and
 * re-armed, and a `calendar` row records the old and new due times. Deadlines already due
 * fire first, on the calendar they were armed with: nothing fired is fired again or undone.
 * A version the case has already (or an older one) changes nothing, so deliveries may repeat.
 */
import { patched, setHandler } from '@temporalio/workflow';
import { compileShared } from '../../engine/compile';
import { persistSnapshot, restoreSnapshot, type TimerSpec } from '../../engine/step';
import { adoptCalendarUpdate, type AdoptCalendarRequest, type AdoptCalendarResult, type MovedDeadline } from '../messages';
import { refuse, type CaseContext } from './context';
import type { Incidents } from './incidents';
import type { Timers } from './timers';
import type { Transitions } from './transitions';

const versionOf = (c: CaseContext): number => c.calendar.version ?? 0;

/** Why the case would not take this version, or undefined when it would. */
function reasonToIgnore(c: CaseContext, req: AdoptCalendarRequest): string | undefined {
  if (c.status !== 'open') return `case "${c.caseId}" is ${c.status}: its deadlines are over`;
  if (req.calendar.id !== c.calendar.id) return `case "${c.caseId}" counts on calendar "${c.calendar.id}", not "${req.calendar.id}"`;
  if ((req.calendar.version ?? 0) <= versionOf(c))
    return `case "${c.caseId}" counts on version ${versionOf(c)} of calendar "${c.calendar.id}" already; version ${req.calendar.version ?? 0} changes nothing`;
  return undefined;
}

/** What the adoption works with: the case's timers and transitions, and its checks of incidents and of unsigned requests. */
export interface AdoptionParts {
  incidents: Incidents;
  timers: Timers;
  transitions: Transitions;
  refuseUnvouched: (req: { caseId?: string }, what: string) => void;
}

export function registerCalendarAdoption(c: CaseContext, { incidents, timers, transitions, refuseUnvouched }: AdoptionParts): void {
  setHandler(
    adoptCalendarUpdate,
    async (req: AdoptCalendarRequest): Promise<AdoptCalendarResult> => {
      timers.fireDueBeforeEvent();
      const fromVersion = versionOf(c);
      const unchanged: AdoptCalendarResult = {
        caseId: c.caseId,
        seq: c.seq,
        calendarId: c.calendar.id,
        fromVersion,
        toVersion: fromVersion,
        adopted: false,
        moved: [],
      };
      // A second delivery accepted together with the first finds the version adopted already.
      if (reasonToIgnore(c, req) !== undefined || !patched('calendar-adoption')) return unchanged;
      const next = compileShared(c.pinned.parsed, req.calendar);
      c.snapshot = restoreSnapshot(next, persistSnapshot(c.compiled, c.snapshot));
      c.compiled = next;
      c.calendar = req.calendar;
      const rearmed: TimerSpec[] = [];
      const moved: MovedDeadline[] = [];
      for (const spec of timers.specs()) {
        const due = timers.recount(spec);
        if (due === undefined || due === Date.parse(spec.dueAt)) continue;
        const dueAt = new Date(due).toISOString();
        rearmed.push({ ...spec, dueAt });
        moved.push({ id: spec.id, delay: spec.delay, state: spec.state, from: spec.dueAt, to: dueAt });
      }
      const stored = transitions.apply(
        {
          snapshot: c.snapshot,
          state: c.state,
          status: c.status,
          notifications: [],
          startTimers: rearmed,
          cancelTimers: [],
          invocations: [],
          stopped: [],
          changed: true,
        },
        'calendar',
        { calendarId: req.calendar.id, fromVersion, toVersion: versionOf(c), moved },
        req.actor,
        null,
      );
      const answer: AdoptCalendarResult = { ...unchanged, seq: c.seq, toVersion: versionOf(c), adopted: true, moved };
      if (c.incidentsOn) await incidents.untilStored(answer.seq, 'the calendar adoption');
      else await stored;
      return answer;
    },
    {
      validator: (req: AdoptCalendarRequest) => {
        refuseUnvouched(req, 'the calendar adoption');
        if (req.actor.role !== 'admin') refuse('Forbidden', `role "${req.actor.role}" may not change a case's calendar; it is for admin`);
        const reason = reasonToIgnore(c, req);
        if (reason !== undefined) refuse(c.status !== 'open' ? 'CaseClosed' : 'CalendarCurrent', reason);
      },
    },
  );
}

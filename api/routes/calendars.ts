/**
 * Business calendars: the versions of the active calendar and its coverage, with a warning
 * while it ends within 60 days (every signed-in user: the web UI shows it as a banner), and
 * the publication of a new version by an admin. A published version is rolled out to every
 * open case, which recounts its running deadlines on it; publishing the same calendar again
 * stores nothing and rolls it out again (cases that have it already are left as they are).
 */
import { z } from 'zod';
import type { CalendarVersion } from '../../adapters/postgres/calendar-store';
import { CalendarValidationError } from '../../engine/calendar/validate-calendar';
import { coverageDaysLeft, coverageWarning } from '../../engine/calendar/coverage';
import { rollOutCalendar, type CalendarSource } from '../../client/calendars';
import type { ApiDeps } from '../deps';
import { ApiError, toApiError } from '../errors';
import { route, type AnyRoute } from '../route';

const ADMIN = ['admin'] as const;

const versionOut = z
  .object({
    calendarId: z.string(),
    version: z.number(),
    hash: z.string().describe('SHA-256 of the canonical JSON of the calendar as published'),
    coversFrom: z.string(),
    coversUntil: z.string(),
    publishedBy: z.string(),
    publishedAt: z.string(),
  })
  .meta({ id: 'CalendarVersion' });

const coverageOut = {
  daysLeft: z.number().describe('days from today (in the calendar time zone) to its last covered date; negative once it has passed'),
  warning: z.string().optional().describe('set while the calendar ends within 60 days, or has ended'),
};

const currentOut = versionOut
  .extend({
    ...coverageOut,
    calendar: z.record(z.string(), z.unknown()).describe('the calendar as new cases pin it'),
  })
  .meta({ id: 'CurrentCalendar' });

const rolloutOut = z.object({
  cases: z.number(),
  adopted: z.number(),
  unchanged: z.number(),
  failed: z.array(z.object({ caseId: z.string(), code: z.string(), message: z.string() })),
});

const publishOut = z
  .object({ published: versionOut, created: z.boolean().describe('false: this calendar was published already'), rollout: rolloutOut })
  .meta({ id: 'CalendarPublication' });

const calendarBody = z
  .record(z.string(), z.unknown())
  .describe('a calendar (JSON): id, timeZone, workingWeekdays, workingHours, holidays, workingDays, coversFrom, coversUntil');

const ERROR = { description: 'an error (see the Error schema)' };

function sourceOf(deps: ApiDeps): CalendarSource {
  if (!deps.calendars) throw new ApiError(503, 'Unavailable', 'this server does not manage calendars');
  return deps.calendars;
}

const describe = ({ calendar: _calendar, ...v }: CalendarVersion) => v;

/** How many days the version has left at `now`, and the warning to show. */
function coverageOf(v: CalendarVersion, now: number) {
  const warning = coverageWarning(v.calendar, now);
  return { daysLeft: coverageDaysLeft(v.calendar, now) ?? 0, ...(warning && { warning }) };
}

/** The newest version of the active calendar (imported from the configured file on first use). */
const currentOf = (deps: ApiDeps): Promise<CalendarVersion> =>
  sourceOf(deps)
    .currentVersion()
    .catch((err: unknown) => Promise.reject(toApiError(err)));

export function calendarRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/calendars',
      summary: 'The versions of the business calendar, newest first, with its coverage warning',
      tag: 'calendars',
      access: 'any',
      responses: {
        200: {
          description: 'the versions of the active calendar; `warning` while the newest ends within 60 days',
          schema: z.object({ calendarId: z.string(), versions: z.array(versionOut), ...coverageOut }),
        },
        503: ERROR,
      },
      async handler() {
        const current = await currentOf(deps);
        const versions = (await sourceOf(deps).versions(current.calendarId)).map(describe);
        return { status: 200, body: { calendarId: current.calendarId, versions, ...coverageOf(current, Date.now()) } };
      },
    }),
    route({
      method: 'GET',
      url: '/calendars/current',
      summary: 'The calendar new cases pin, its coverage and warning',
      tag: 'calendars',
      access: 'any',
      responses: { 200: { description: 'the newest version of the active calendar', schema: currentOut }, 503: ERROR },
      async handler() {
        const current = await currentOf(deps);
        return { status: 200, body: { ...describe(current), ...coverageOf(current, Date.now()), calendar: current.calendar } };
      },
    }),
    route({
      method: 'POST',
      url: '/calendars',
      summary: 'Publish a new version of a calendar (next year holidays and make-up days); open cases adopt it',
      tag: 'calendars',
      access: ADMIN,
      body: calendarBody,
      responses: {
        201: { description: 'published, and rolled out to the open cases', schema: publishOut },
        200: { description: 'this calendar was published already: rolled out again', schema: publishOut },
        422: { description: 'InvalidCalendar: the calendar is not valid (issues list each problem); nothing changed' },
        503: ERROR,
      },
      async handler({ body, caller, request }) {
        const source = sourceOf(deps);
        const active = await currentOf(deps);
        if (body.id !== active.calendarId) {
          throw new ApiError(
            422,
            'InvalidCalendar',
            `this deployment runs on calendar "${active.calendarId}": publish a version of it (set "id": "${active.calendarId}"), not ${JSON.stringify(body.id)}`,
          );
        }
        let published;
        try {
          published = await source.publish(body, caller.principal.userId);
        } catch (err) {
          if (err instanceof CalendarValidationError) throw new ApiError(422, 'InvalidCalendar', err.message, err.issues);
          throw toApiError(err);
        }
        const v = published.version;
        if (published.created)
          await deps.securityLog.record({
            code: 'CalendarPublished',
            message: `${caller.principal.userId} published calendar "${v.calendarId}" version ${v.version} (${v.coversFrom} to ${v.coversUntil}), sha256 ${v.hash}`,
            userId: caller.principal.userId,
            role: caller.role,
            method: request.method,
            path: request.routeOptions.url ?? null,
            remoteIp: request.ip,
          });
        const rollout = await rollOutCalendar(deps.docket, deps.caseStore, v.calendar, caller.actor);
        return { status: published.created ? 201 : 200, body: { published: describe(v), created: published.created, rollout } };
      },
    }),
  ];
}

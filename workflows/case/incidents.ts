/**
 * Incidents: an effect that fails for good (activities retry transient failures themselves)
 * holds the case, with everything queued behind it, until an operator retries it; the case
 * shows it in its status and on the operators' list, and takes no actions meanwhile.
 */
import { ActivityFailure, ApplicationFailure, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { retryIncidentsUpdate, type EffectKind, type Incident, type RetryIncidentsRequest, type RetryIncidentsResult } from '../messages';
import { recordIncident } from './activities';
import { nowIso, refuse, type CaseContext } from './context';
import type { EffectQueue } from './effect-queue';

/** The role that retries incidents. */
const OPERATOR_ROLE = 'admin';

/** The error of a failed effect, as an incident shows it. */
function failureOf(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

export type Incidents = ReturnType<typeof createIncidents>;

export function createIncidents(c: CaseContext, queue: EffectQueue) {
  let count = c.input.carried?.incidentCount ?? 0;
  /** Open incidents, each with what an operator's retry does. */
  const open = new Map<string, { incident: Incident; retry: () => void }>();
  /** Who asked for the retry under way, for the resolved incident's record. */
  let retriedBy: string | undefined;
  let recording = 0;

  /** Writes an incident to the operators' list; the case waits for the write like for any effect. */
  const recordRow = (incident: Incident) => {
    queue.pending += 1;
    recording += 1;
    void recordIncident
      .executeWithOptions({ summary: `record incident ${incident.id}${incident.resolvedAt ? ' (resolved)' : ''}` }, [incident])
      .catch(() => undefined) // the incident stays visible in the case's status
      .then(() => {
        queue.pending -= 1;
        recording -= 1;
      });
  };

  /** Opens an incident for a failed effect, or counts another failure of an open one. */
  const report = (
    prior: Incident | undefined,
    effect: EffectKind,
    effectSeq: number | null,
    description: string,
    err: unknown,
    retry: () => void,
  ): Incident => {
    const incident: Incident = prior
      ? { ...prior, error: failureOf(err), attempts: prior.attempts + 1 }
      : {
          id: `${c.caseId}:incident:${(count += 1)}`,
          caseId: c.caseId,
          processId: c.processId,
          effect,
          seq: effectSeq,
          description,
          error: failureOf(err),
          attempts: 1,
          openedAt: nowIso(),
        };
    open.set(incident.id, { incident, retry });
    recordRow(incident);
    return incident;
  };

  const resolve = (incident: Incident) => {
    open.delete(incident.id);
    recordRow({ ...incident, resolvedAt: nowIso(), ...(retriedBy !== undefined && { resolvedBy: retriedBy }) });
  };

  /** Runs one effect; a permanent failure opens an incident and the effect waits for a retry. */
  const runEffect = async <T>(effect: EffectKind, effectSeq: number | null, description: string, run: () => Promise<T>): Promise<T> => {
    let incident: Incident | undefined;
    for (;;) {
      try {
        const value = await run();
        if (incident) resolve(incident);
        return value;
      } catch (err) {
        if (isCancellation(err)) throw err;
        let retried = false;
        incident = report(incident, effect, effectSeq, description, err, () => {
          retried = true;
        });
        await condition(() => retried);
      }
    }
  };

  return {
    open,
    get count() {
      return count;
    },
    list: (): Incident[] => [...open.values()].map((i) => i.incident),
    report,
    resolve,

    /** Runs an effect, with incidents where the case has them. */
    effect: <T>(kind: EffectKind, effectSeq: number | null, description: string, run: () => Promise<T>): Promise<T> =>
      c.incidentsOn ? runEffect(kind, effectSeq, description, run) : run(),

    /** While an incident is open the case's effects wait, so it takes no new actions. */
    refuseDuringIncident() {
      const [first] = open.values();
      if (first)
        refuse(
          'CaseHasIncident',
          `the case has an open incident (${first.incident.description} failed: ${first.incident.error.message}); it accepts events again once an operator has fixed the cause and retried it (docket incidents retry ${c.caseId})`,
          [...open.values()].map((i) => i.incident),
        );
    },

    /** Waits until transition `target` is stored; fails the action when an incident holds it. */
    async untilStored(target: number, what: string) {
      // An incident is answered once it is on the operators' list too.
      await condition(() => c.storedSeq >= target || (open.size > 0 && recording === 0));
      if (c.storedSeq >= target) return;
      const [first] = open.values();
      throw ApplicationFailure.create({
        type: 'IncidentOpened',
        nonRetryable: true,
        message: `${what} was accepted, but ${first!.incident.description} failed for good: ${first!.incident.error.message}; the case shows incident ${first!.incident.id} and goes on once an operator fixes the cause and retries it`,
        details: [first!.incident],
      });
    },

    /** The `retryIncidents` Update: an operator runs the failed effects again. */
    register(refuseUnvouched: (req: { caseId?: string }, what: string) => void) {
      const checkRetry = (req: RetryIncidentsRequest) => {
        if (req.actor.role !== OPERATOR_ROLE)
          refuse('Forbidden', `role "${req.actor.role}" may not retry incidents; it is for ${OPERATOR_ROLE}`);
        if (open.size === 0) refuse('NoIncident', `case "${c.caseId}" has no open incident`);
        if (req.incidentId !== undefined && !open.has(req.incidentId))
          refuse('NoIncident', `case "${c.caseId}" has no open incident "${req.incidentId}"; open: ${[...open.keys()].join(', ')}`);
      };
      setHandler(
        retryIncidentsUpdate,
        async (req: RetryIncidentsRequest): Promise<RetryIncidentsResult> => {
          checkRetry(req);
          const retried = [...open.values()].filter((i) => req.incidentId === undefined || i.incident.id === req.incidentId);
          const attemptsBefore = new Map(retried.map((i) => [i.incident.id, i.incident.attempts]));
          retriedBy = req.actor.userId;
          retried.forEach((i) => i.retry());
          // Each retried effect either succeeds (its incident closes) or fails again (its attempts go up).
          await condition(
            () =>
              recording === 0 && [...attemptsBefore].every(([id, attempts]) => !open.has(id) || open.get(id)!.incident.attempts > attempts),
          );
          return {
            caseId: c.caseId,
            resolved: [...attemptsBefore.keys()].filter((id) => !open.has(id)),
            open: [...open.values()].map((i) => i.incident),
          };
        },
        {
          validator: (req: RetryIncidentsRequest) => {
            refuseUnvouched(req, 'the retry');
            checkRetry(req);
          },
          description: "An operator's retry of the case's open incidents (or one of them), once their cause is fixed",
        },
      );
    },
  };
}

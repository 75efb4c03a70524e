/**
 * Human actions: the `sendEvent` Update (refused in its validator, so a refusal never reaches
 * the history; a request id makes a repeat count once), and what the case tells its readers.
 */
import { currentUpdateInfo, setHandler } from '@temporalio/workflow';
import { allowedEvents, step } from '../../engine/step';
import { checkEvent } from '../../engine/check';
import { workView } from '../../engine/work/view';
import {
  definitionQuery,
  sendEventUpdate,
  statusQuery,
  subprocessDoneSignal,
  unvouched,
  type CaseStatusView,
  type RememberedRequest,
  type SendEventRequest,
  type SendResult,
  type StatusAsker,
} from '../messages';
import { refuse, type CaseContext } from './context';
import type { Incidents } from './incidents';
import type { Invocations } from './invocations';
import type { Timers } from './timers';
import type { Transitions } from './transitions';

/** How many request ids a case remembers across continue-as-new. */
const REMEMBERED_REQUESTS = 500;

function fingerprint(req: SendEventRequest): string {
  return JSON.stringify([req.type, req.data ?? {}, req.actor.role]);
}

/** Request ids are the client's, so they are remembered per user. */
function requestKey(req: SendEventRequest): string | undefined {
  return req.requestId === undefined ? undefined : `${req.actor.userId}\u0000${req.requestId}`;
}

export type Actions = ReturnType<typeof createActions>;

export function createActions(c: CaseContext, incidents: Incidents, timers: Timers, invocations: Invocations, transitions: Transitions) {
  const requests = new Map<string, RememberedRequest>(c.input.carried?.requests ?? []);
  /**
   * Updates whose validator accepted the event, with the case as it was checked: the snapshot
   * and definition objects. Where the handler finds the case as it was, the check holds (due
   * timers fire the same way in the same workflow task) and is not run again.
   */
  const checked = new Map<string, { snapshot: CaseContext['snapshot']; compiled: CaseContext['compiled'] }>();

  /**
   * An action must come from a Docket client or worker (signed: see security/vouch-codec.ts) and
   * be made for this case. Checked in validators only, so histories from before replay as they ran.
   */
  const refuseUnvouched = (req: { caseId?: string }, what: string) => {
    if (!c.vouchedOn) return;
    if (unvouched(req))
      refuse(
        'Unauthenticated',
        `${what} carries no valid signature of a Docket client: send it through the API or the CLI, which vouch for the actor`,
      );
    if (req.caseId !== c.caseId) refuse('Unauthenticated', `${what} was made for case "${String(req.caseId)}", not "${c.caseId}"`);
  };

  const check = (req: SendEventRequest) => {
    const key = requestKey(req);
    if (key !== undefined) {
      const prior = requests.get(key);
      if (prior) {
        if (prior.fingerprint !== fingerprint(req))
          refuse('RequestIdReused', `request id "${req.requestId}" was already used for a different event; use a new request id`);
        return prior;
      }
    }
    const refusal = checkEvent(
      c.compiled,
      timers.snapshotAfterDue(),
      { type: req.type, data: req.data ?? {}, actor: req.actor, requestId: req.requestId ?? null },
      Date.now(),
    );
    if (refusal) refuse(refusal.code, refusal.message, refusal.issues);
    // Checked after the event itself, so a role that may not send it is told so (and logged) first.
    incidents.refuseDuringIncident();
    return undefined;
  };

  /** A request's first answer, when its request id was seen before (with the same event). */
  const remembered = (req: SendEventRequest) => {
    const key = requestKey(req);
    return key === undefined ? undefined : requests.get(key);
  };

  return {
    refuseUnvouched,
    /** The request ids to carry across continue-as-new. */
    requests: () => [...requests.entries()],

    register() {
      setHandler(
        sendEventUpdate,
        async (req: SendEventRequest): Promise<SendResult> => {
          const updateId = currentUpdateInfo()?.id;
          const asChecked = updateId === undefined ? undefined : checked.get(updateId);
          if (updateId !== undefined) checked.delete(updateId);
          const unchanged = asChecked?.snapshot === c.snapshot && asChecked.compiled === c.compiled;
          timers.fireDueBeforeEvent();
          let prior: RememberedRequest | undefined;
          if (unchanged) {
            prior = remembered(req);
            // A due timer that failed to fire opens an incident, which the check would have found.
            if (!prior) incidents.refuseDuringIncident();
          } else prior = check(req); // replaying, or the case moved since the validator ran
          if (prior) return prior.result; // the first answer, again
          const data = req.data ?? {};
          const result = step(c.compiled, c.snapshot, { type: req.type, data, actor: req.actor }, Date.now());
          const stored = transitions.apply(result, req.type, data, req.actor, req.requestId ?? null, c.persistInTask);
          const answer: SendResult = { caseId: c.caseId, seq: c.seq, state: c.state, status: c.status };
          const key = requestKey(req);
          if (key !== undefined) {
            requests.set(key, { fingerprint: fingerprint(req), result: answer });
            while (requests.size > REMEMBERED_REQUESTS) requests.delete(requests.keys().next().value as string);
          }
          if (c.incidentsOn) await incidents.untilStored(answer.seq, req.type);
          else await stored;
          return answer;
        },
        {
          validator: (req: SendEventRequest) => {
            refuseUnvouched(req, 'the event');
            const prior = check(req);
            const updateId = currentUpdateInfo()?.id;
            if (!prior && updateId !== undefined) checked.set(updateId, { snapshot: c.snapshot, compiled: c.compiled });
          },
          description:
            "A person's action on the case: the event type (e.g. ACCEPT) and its data, by a user in a role; refused in the validator",
        },
      );

      setHandler(statusQuery, (role?: string, asker?: StatusAsker): CaseStatusView => ({
        caseId: c.caseId,
        processId: c.processId,
        definitionVersion: c.pinned.definitionVersion,
        definitionHash: c.pinned.definitionHash,
        state: c.state,
        status: c.status,
        context: c.snapshot.context as Record<string, unknown>,
        deadlines: timers.deadlines(),
        allowedEvents: c.status === 'open' ? allowedEvents(c.compiled, c.snapshot, role, asker?.userId, asker?.onBehalfOf, Date.now()) : [],
        seq: c.seq,
        storedSeq: c.storedSeq,
        children: invocations.children
          .filter((ch) => ch.started)
          .map(({ context: _context, generation: _generation, started: _started, ...child }) => child),
        ...(c.input.parent && { parent: c.input.parent }),
        incidents: incidents.list(),
        openedAt: c.openedAt,
        updatedAt: c.updatedAt,
        work: workView(c.compiled, c.snapshot, Date.now()),
      }));
      setHandler(subprocessDoneSignal, (done) => invocations.onSubprocessDone(done));
      setHandler(definitionQuery, () => c.pinned.definition);
    },
  };
}

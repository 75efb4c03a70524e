/**
 * The case as `GET /cases/{caseId}` shows it: the workflow's status with the labels of its
 * definition, deadlines marked overdue, the events the caller may send now with their payload
 * schemas, the events of open sub-process cases that are routed through it, and its tasks (with the task
 * operations the caller's role may perform) when its definition has them.
 */
import type { z } from 'zod';
import type { CaseStatusView } from '../workflows/messages';
import { ownValue } from '../engine/own';
import { isTaskOperation } from '../engine/work-types';
import { caseWork } from '../client/task-operations';
import { payloadJsonSchema } from './allowed';
import type { ApiDeps } from './deps';
import type { caseOut } from './schemas';

/** The case view of `view` (the status as seen by `role`, which may see the case). */
export async function caseView(deps: ApiDeps, view: CaseStatusView, role: string): Promise<z.infer<typeof caseOut>> {
  const { caseId } = view;
  const known = await deps.catalog.byHash(view.definitionHash, caseId);
  const def = known?.definition;
  const now = Date.now();
  const deadlines = view.deadlines.map((d) => ({
    ...d,
    overdue: Date.parse(d.dueAt) <= now,
    ...(ownValue(def?.delays, d.delay)?.labels && { labels: ownValue(def?.delays, d.delay)!.labels }),
  }));
  const overdue =
    view.status === 'open' && (deadlines.some((d) => d.overdue) || (await deps.queries.search({ caseId, limit: 1 }))[0]?.overdue === true);
  const stateLabels = ownValue(def?.stateLabels, view.state);
  // Events of open sub-process cases the caller may send: sent here, they are routed by their key.
  const routed = [];
  for (const child of view.children.filter((c) => c.status === 'open')) {
    const field = ownValue(def?.subprocesses, child.invokeId)?.routeBy;
    const childView = field ? await deps.docket.status(child.caseId, role).catch(() => undefined) : undefined;
    if (!field || !childView) continue;
    const childDef = (await deps.catalog.byHash(childView.definitionHash, child.caseId))?.definition;
    for (const type of childView.allowedEvents) {
      routed.push({
        type,
        ...(ownValue(childDef?.events, type)?.labels && { labels: ownValue(childDef?.events, type)!.labels }),
        roles: ownValue(childDef?.events, type)?.roles ?? [],
        schema: childDef ? payloadJsonSchema(childDef, type) : { type: 'object' },
        routeTo: { caseId: child.caseId, key: child.key, field },
      });
    }
  }
  const customerId = (await deps.caseStore.getCase(caseId))?.customerId;
  const work = caseWork(view);
  return {
    caseId: view.caseId,
    processId: view.processId,
    definitionVersion: view.definitionVersion,
    definitionHash: view.definitionHash,
    state: view.state,
    ...(stateLabels && { stateLabels }),
    ...(customerId && { customerId }),
    status: view.status,
    context: view.context,
    deadlines,
    overdue,
    seq: view.seq,
    storedSeq: view.storedSeq,
    openedAt: view.openedAt,
    updatedAt: view.updatedAt,
    role,
    allowedEvents: view.allowedEvents
      .filter((type) => !isTaskOperation(type))
      .map((type) => ({
        type,
        ...(ownValue(def?.events, type)?.labels && { labels: ownValue(def?.events, type)!.labels }),
        roles: ownValue(def?.events, type)?.roles ?? [],
        schema: def ? payloadJsonSchema(def, type) : { type: 'object' },
      }))
      .concat(routed),
    children: view.children,
    ...(view.parent && { parent: view.parent }),
    incidents: view.incidents,
    ...(work && { work: { ...work, allowedOperations: view.allowedEvents.filter(isTaskOperation) } }),
  };
}

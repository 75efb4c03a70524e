import type { ApprovalSpec, Definition, HumanTaskSpec } from './definition-schema';

/**
 * A pinned definition in its parsed shape, without running the definition schema:
 * definitions are linted when they are published and checked again by the client
 * before a case starts, and building the zod schema in every workflow would cost
 * each case several milliseconds. Only the optional sections get their defaults.
 */
export function withDefaults(raw: unknown): Definition {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('the definition is not an object');
  const d = raw as Partial<Definition> & Record<string, unknown>;
  for (const key of ['process', 'machine', 'events', 'stateLabels', 'input', 'customerField'] as const) {
    if (d[key] === undefined) throw new Error(`the definition has no "${key}"`);
  }
  return {
    ...d,
    parameters: d.parameters ?? {},
    delays: d.delays ?? {},
    guards: d.guards ?? {},
    actions: d.actions ?? {},
    guardLabels: d.guardLabels ?? {},
    tasks: d.tasks ?? {},
    subprocesses: d.subprocesses ?? {},
  } as Definition;
}

/**
 * A human task as the definition schema parses it (`humanTaskSchema`): its defaults filled in, for
 * a pinned definition that reaches the workflow as it was stored. A test holds the two equal.
 */
export function humanTaskWithDefaults(raw: unknown): HumanTaskSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('a human task is not an object');
  const t = raw as Partial<HumanTaskSpec>;
  const approval = t.approval as Partial<ApprovalSpec> | undefined;
  return {
    ...t,
    candidates: t.candidates ?? [],
    assigneeOnly: t.assigneeOnly ?? false,
    openEvents: t.openEvents ?? [],
    returnTo: t.returnTo ?? [],
    ...(approval !== undefined && {
      approval: {
        ...approval,
        approve: approval.approve ?? 'APPROVE',
        reject: approval.reject ?? 'REJECT',
        addApprover: approval.addApprover ?? [],
        notifyEachTurn: approval.notifyEachTurn ?? false,
      } as ApprovalSpec,
    }),
  };
}

/** The `migrateCase` Update: a process owner moves a running case to another published version. */
import { setHandler } from '@temporalio/workflow';
import { compileShared } from '../../engine/compile';
import { withDefaults } from '../../engine/definition-defaults';
import type { Definition } from '../../engine/definition-schema';
import { migrationStep, planMigration } from '../../engine/migration-plan';
import { migrateCaseUpdate, type MigrateCaseRequest, type MigrateResult } from '../messages';
import { refuse, type CaseContext } from './context';
import type { Incidents } from './incidents';
import type { Timers } from './timers';
import type { Transitions } from './transitions';

export function registerMigration(
  c: CaseContext,
  incidents: Incidents,
  timers: Timers,
  transitions: Transitions,
  refuseUnvouched: (req: { caseId?: string }, what: string) => void,
): void {
  const checkMigration = (req: MigrateCaseRequest) => {
    if (req.actor.role !== 'process_owner') refuse('Forbidden', `role "${req.actor.role}" may not migrate cases; it is for process_owner`);
    incidents.refuseDuringIncident();
    // The target is a published version: the client took it from the store, where only linted versions are published.
    let target: Definition;
    try {
      target = withDefaults(req.definition);
    } catch (err) {
      return refuse('InvalidDefinition', `the target definition is invalid: ${(err as Error).message}`);
    }
    const plan = planMigration({
      from: c.pinned.parsed,
      to: target,
      toVersion: req.definitionVersion,
      case: {
        caseId: c.caseId,
        state: c.state,
        status: c.status,
        context: c.snapshot.context as Record<string, unknown>,
        definitionVersion: c.pinned.definitionVersion,
        deadlines: timers.deadlines(),
        ...(req.stateEnteredAt !== undefined && { stateEnteredAt: req.stateEnteredAt }),
      },
      mapping: req.mapping ?? {},
      calendar: c.calendar,
      now: Date.now(),
    });
    if (!plan.ok) {
      const codes = plan.blockers.map((b) => b.code);
      const code = codes.includes('CaseClosed') ? 'CaseClosed' : codes.includes('UnknownState') ? 'UnknownState' : 'MigrationBlocked';
      refuse(code, plan.blockers.map((b) => b.message).join('; '), plan.blockers);
    }
    return { target, plan };
  };

  setHandler(
    migrateCaseUpdate,
    async (req: MigrateCaseRequest): Promise<MigrateResult> => {
      timers.fireDueBeforeEvent();
      const { target, plan } = checkMigration(req);
      const fromVersion = c.pinned.definitionVersion;
      const fromState = c.state;
      const next = compileShared(target, c.calendar);
      timers.cancelAll();
      c.compiled = next;
      c.pinned = {
        definition: req.definition,
        definitionVersion: req.definitionVersion,
        definitionHash: req.definitionHash,
        parsed: next.definition, // the copy every case on this version shares
      };
      const payload = { fromVersion, toVersion: req.definitionVersion, mapping: plan.mapping };
      const stored = transitions.apply(
        migrationStep(c.compiled, c.snapshot.context as Record<string, unknown>, plan),
        'migrate',
        payload,
        req.actor,
        null,
      );
      const answer: MigrateResult = {
        caseId: c.caseId,
        seq: c.seq,
        fromVersion,
        toVersion: req.definitionVersion,
        fromState,
        state: c.state,
        status: c.status,
        deadlines: timers.deadlines(),
      };
      if (c.incidentsOn) await incidents.untilStored(answer.seq, 'the migration');
      else await stored;
      return answer;
    },
    {
      validator: (req: MigrateCaseRequest) => {
        refuseUnvouched(req, 'the migration');
        checkMigration(req);
      },
      description: 'A process owner moves the case to another published version of its definition',
    },
  );
}

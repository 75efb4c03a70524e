import type { AnyMachineSnapshot } from 'xstate';
import cnJson from '../../calendars/cn.json';
import workReviewJson from '../fixtures/definitions/work_review.json';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition, type CompiledDefinition } from '../../engine/compile';
import { assertValidDefinition } from '../../engine/lint';
import { startCase, step, type StepResult } from '../../engine/step';
import { checkEvent } from '../../engine/check';
import type { Actor } from '../../engine/types';
import type { Refusal } from '../../engine/refusals';

const cn = validateCalendar(cnJson);

/** The work review fixture, compiled (after `edit`, on a copy). */
export function compileWorkReview(edit?: (d: Record<string, any>) => void): CompiledDefinition {
  const raw = structuredClone(workReviewJson) as Record<string, any>;
  edit?.(raw);
  return compileDefinition(assertValidDefinition(raw), cn);
}

/** A work review case driven in memory: each event is checked as the validator checks it, then applied when not refused. */
export class WorkCase {
  snapshot: AnyMachineSnapshot;
  last: StepResult;
  constructor(
    readonly compiled: CompiledDefinition,
    input: Record<string, unknown>,
    initiator: string,
    public now: number,
  ) {
    this.last = startCase(compiled, input, now, initiator);
    this.snapshot = this.last.snapshot;
  }

  /** The refusal of the event, or null when it was applied. */
  send(type: string, data: Record<string, unknown>, actor: Actor): Refusal | null {
    const refused = checkEvent(this.compiled, this.snapshot, { type, data, actor }, this.now);
    if (refused) return refused;
    this.last = step(this.compiled, this.snapshot, { type, data, actor }, this.now);
    this.snapshot = this.last.snapshot;
    return null;
  }

  /** Applies the event, failing with its refusal if it is refused. */
  ok(type: string, data: Record<string, unknown>, actor: Actor): StepResult {
    const refused = this.send(type, data, actor);
    if (refused) throw new Error(`${type} by ${actor.userId} was refused: ${refused.code} ${refused.message}`);
    return this.last;
  }
}

/** The people of the work review fixture's cases: the initiator, two handlers, a task manager and approvers. */
export const WORK_PEOPLE = {
  agent: { userId: 'ann', role: 'cs_agent' },
  h1: { userId: 'hal', role: 'handler' },
  h2: { userId: 'hui', role: 'handler' },
  boss: { userId: 'sam', role: 'service_manager' },
  m1: { userId: 'max', role: 'sales_manager' },
  gm: { userId: 'gil', role: 'gm' },
  legal: { userId: 'lei', role: 'legal' },
} satisfies Record<string, Actor>;

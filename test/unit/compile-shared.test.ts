import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AnyMachineSnapshot } from 'xstate';
import cnJson from '../../calendars/cn.json';
import { definitionFiles } from '../../bench/interpreter';
import { planWalks } from '../../bench/event-walk';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition, compileShared, sharedCopy, type CompiledDefinition, type MachineEvent } from '../../engine/compile';
import { withDefaults } from '../../engine/definition-defaults';
import { allowedEvents, startCase, step, type StepResult } from '../../engine/step';
import { workView } from '../../engine/work/view';

/**
 * The workers share one compiled definition among the cases that run on it (worker/workflow-preload.ts).
 * Two cases stepping in turn on the shared one, at different times, must see exactly what each sees
 * on a definition compiled for itself.
 */

const cn = validateCalendar(cnJson);
const DEFINITIONS = path.join(__dirname, '../../definitions');
const T0 = Date.parse('2026-03-02T10:00:00+08:00');
const DAY = 86_400_000;

/** What a step tells the workflow, and what the case then shows. */
function seen(compiled: CompiledDefinition, r: StepResult, now: number) {
  return {
    state: r.state,
    status: r.status,
    changed: r.changed,
    startTimers: r.startTimers,
    cancelTimers: r.cancelTimers,
    notifications: r.notifications,
    invocations: r.invocations,
    context: r.snapshot.context as unknown,
    work: workView(compiled, r.snapshot, now),
    allowed: allowedEvents(compiled, r.snapshot, 'admin', 'someone', undefined, now),
  };
}

/** Runs the walks' events for a case starting at `t0`, one step per call of the returned function. */
function runner(compiled: () => CompiledDefinition, input: Record<string, unknown>, events: MachineEvent[], t0: number) {
  let snapshot: AnyMachineSnapshot | undefined;
  let i = -1;
  return (): { c: CompiledDefinition; r: StepResult; now: number } | undefined => {
    const now = t0 + (i + 1) * DAY;
    const c = compiled();
    let r: StepResult;
    if (i < 0) r = startCase(c, input, now, 'initiator');
    else if (i < events.length && snapshot!.status === 'active') r = step(c, snapshot!, events[i]!, now);
    else return undefined;
    i += 1;
    snapshot = r.snapshot;
    return { c, r, now };
  };
}

describe('a compiled definition shared by cases', () => {
  const files = definitionFiles(DEFINITIONS);

  it('is the same object for the same definition and calendar, and another for another calendar', () => {
    const raw = JSON.parse(readFileSync(files[0]!, 'utf8'));
    const a = compileShared(withDefaults(raw), cn);
    expect(compileShared(withDefaults(JSON.parse(JSON.stringify(raw))), cn)).toBe(a);
    expect(compileShared(withDefaults(raw), { ...cn, version: (cn.version ?? 0) + 1 })).not.toBe(a);
  });

  it.each(files.map((f) => [path.basename(f, '.json'), f]))('%s: two cases in turn see what each sees alone', (_name, file) => {
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const plan = planWalks(compileDefinition(withDefaults(raw), cn), T0);
    const shared = compileShared(withDefaults(raw), cn);
    expect(plan.walks.length).toBeGreaterThan(0);
    // The longest walks, paired with another: a case at T0 and one started half a year later.
    const walks = [...plan.walks].sort((a, b) => b.events.length - a.events.length).slice(0, 6);
    for (let w = 0; w + 1 < walks.length; w += 2) {
      const later = T0 + 183 * DAY + 3_600_000;
      const own1 = compileDefinition(withDefaults(raw), cn);
      const own2 = compileDefinition(withDefaults(raw), cn);
      const a1 = runner(() => own1, plan.input, walks[w]!.events, T0);
      const a2 = runner(() => own2, plan.input, walks[w + 1]!.events, later);
      const s1 = runner(() => shared, plan.input, walks[w]!.events, T0);
      const s2 = runner(() => shared, plan.input, walks[w + 1]!.events, later);
      let steps = 0;
      const look = (s: ReturnType<typeof a1>) => s && seen(s.c, s.r, s.now);
      for (;;) {
        // Both shared cases step before either is looked at (as a query on one case may follow a step of another).
        const [x1, y1, x2, y2] = [a1(), s1(), a2(), s2()];
        expect(look(y1)).toEqual(look(x1));
        expect(look(y2)).toEqual(look(x2));
        if (x1 === undefined && x2 === undefined) break;
        steps += 1;
      }
      expect(steps).toBeGreaterThan(1);
    }
  });
});

describe('sharedCopy: one copy per worker of what cases carry alike', () => {
  it('gives the first copy of equal values, and a value of other content its own', () => {
    const raw = readFileSync(path.join(DEFINITIONS, 'complaint.json'), 'utf8');
    const first = sharedCopy(JSON.parse(raw) as unknown);
    const second = JSON.parse(raw) as unknown;
    expect(second).not.toBe(first);
    expect(sharedCopy(second)).toBe(first);
    const changed = { ...(JSON.parse(raw) as Record<string, unknown>), process: 'complaint_copy' };
    expect(sharedCopy(changed)).toBe(changed);
    expect(sharedCopy(JSON.parse(JSON.stringify(changed)) as unknown)).toBe(changed);
    expect(sharedCopy({ ...cn })).toEqual(cn);
    expect(sharedCopy(undefined)).toBeUndefined();
  });

  it('compiles the shared definition the same as a case’s own copy', () => {
    const raw = JSON.parse(readFileSync(path.join(DEFINITIONS, 'contract.json'), 'utf8')) as unknown;
    const copy = sharedCopy(JSON.parse(JSON.stringify(raw)) as unknown);
    expect(sharedCopy(raw)).toBe(copy);
    expect(compileShared(withDefaults(copy), cn)).toBe(compileShared(withDefaults(raw), cn));
  });
});

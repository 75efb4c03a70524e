import cnJson from '../../calendars/cn.json';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition, type CompiledDefinition } from '../../engine/compile';
import { withDefaults } from '../../engine/definition-defaults';
import { lintDefinition } from '../../engine/lint';
import { MICROSTEP_LIMIT, MicrostepLimitError } from '../../engine/microstep-limit';
import { startCase, step } from '../../engine/step';
import { checkEvent } from '../../engine/check';
import type { Actor } from '../../engine/types';
import { complaintV1, complaintWithEventlessLoop } from '../helpers/definition-fixtures';

const cn = validateCalendar(cnJson);
const cs: Actor = { userId: 'u-agent', role: 'cs_agent' };
const handler: Actor = { userId: 'u-handler', role: 'handler' };
const now = Date.parse('2026-03-02T10:00:00+08:00');
const input = {
  customer: 'cust-42',
  contact: '138 0000 0000',
  channel: 'phone',
  content: 'The door of the cabinet arrived cracked',
  category: 'product_quality',
  severity: 'high',
};
const accept = { type: 'ACCEPT', data: { department: 'quality', assignee: 'u-handler' }, actor: cs };
const loopingContact = { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'Called back', loop: true }, actor: handler };

/** Compiled as the workflow compiles a pinned definition: without the linter, as one published before its loop rule. */
const compileUnlinted = (raw: Record<string, unknown>): CompiledDefinition => compileDefinition(withDefaults(raw), cn);

/** A looping case accepted and waiting in `investigating`. */
function investigating(c: CompiledDefinition) {
  const started = startCase(c, input, now);
  return step(c, started.snapshot, accept, now + 1000);
}

describe('an event that would step forever (a loop of eventless transitions on its data)', () => {
  it('is refused by checkEvent with StepLimitExceeded, naming the loop', () => {
    const c = compileUnlinted(complaintWithEventlessLoop());
    const { snapshot } = investigating(c);
    const refusal = checkEvent(c, snapshot, loopingContact, now + 2000);
    expect(refusal?.code).toBe('StepLimitExceeded');
    expect(refusal?.message).toContain(`LOG_CONTACT did not come to rest within ${MICROSTEP_LIMIT} steps`);
    expect(refusal?.message).toMatch(/investigating → rechecking → investigating/);
    expect(refusal?.message).toContain('publish a version that passes the linter');
  });

  it('makes step throw MicrostepLimitError and leaves the snapshot as it was', () => {
    const c = compileUnlinted(complaintWithEventlessLoop());
    const { snapshot } = investigating(c);
    const before = JSON.stringify(snapshot.value) + JSON.stringify(snapshot.context);
    let thrown: unknown;
    try {
      step(c, snapshot, loopingContact, now + 2000);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(MicrostepLimitError);
    expect((thrown as MicrostepLimitError).event).toBe('LOG_CONTACT');
    expect((thrown as MicrostepLimitError).limit).toBe(MICROSTEP_LIMIT);
    expect(JSON.stringify(snapshot.value) + JSON.stringify(snapshot.context)).toBe(before);
  });

  it('gives the same answer every time (a replay decides as the first run did), and the same event without the loop is applied', () => {
    const c = compileUnlinted(complaintWithEventlessLoop());
    const { snapshot } = investigating(c);
    const messages = [1, 2, 3].map(() => checkEvent(c, snapshot, loopingContact, now + 2000)?.message);
    expect(new Set(messages).size).toBe(1);
    const calm = { ...loopingContact, data: { channel: 'phone', summary: 'Called back', loop: false } };
    expect(checkEvent(c, snapshot, calm, now + 2000)).toBeNull();
    const applied = step(c, snapshot, calm, now + 2000);
    expect(applied.state).toBe('investigating');
    expect(applied.changed).toBe(true);
  });

  it('is the only thing the linter would have refused in the definition', () => {
    const problems = lintDefinition(complaintWithEventlessLoop()).problems;
    // The guard reads event data, which an eventless transition should not (reported as well).
    expect(problems.map((p) => p.code).sort()).toEqual(['eventless-cycle', 'unknown-data-field']);
    const cycle = problems.find((p) => p.code === 'eventless-cycle')!;
    expect(cycle.path).toBe('machine.states.investigating.always');
    expect(cycle.message).toContain('investigating → rechecking → investigating');
  });
});

describe('a start or an event that loops without a guard', () => {
  it('makes startCase throw MicrostepLimitError when the initial state loops', () => {
    const raw = complaintV1();
    raw.machine.states.received.always = { target: 'investigating' };
    raw.machine.states.investigating.always = { target: 'received' };
    const c = compileUnlinted(raw);
    expect(() => startCase(c, input, now)).toThrow(MicrostepLimitError);
    expect(() => startCase(c, input, now)).toThrow(/the start of the case did not come to rest within 100 steps/);
  });

  it('makes startCase throw when a parent state is done again and again (onDone back into itself)', () => {
    const raw = complaintV1();
    raw.machine.states.received.always = { target: 'looping' };
    raw.machine.states.looping = {
      initial: 'done',
      states: { done: { type: 'final' } },
      onDone: { target: 'looping', reenter: true },
    };
    const c = compileUnlinted(raw);
    expect(() => startCase(c, input, now)).toThrow(MicrostepLimitError);
  });

  it('refuses ACCEPT in checkEvent and throws in step when accepting enters the loop', () => {
    const c = compileUnlinted(complaintWithEventlessLoop({ unguarded: true }));
    const started = startCase(c, input, now);
    expect(started.state).toBe('received');
    expect(checkEvent(c, started.snapshot, accept, now)?.code).toBe('StepLimitExceeded');
    expect(() => step(c, started.snapshot, accept, now)).toThrow(MicrostepLimitError);
    // The counter starts again for each call: the same start works after a refused step.
    expect(startCase(c, input, now).state).toBe('received');
  });
});

describe('eventless transitions that come to rest', () => {
  it('run a chain of always transitions well within the limit', () => {
    const raw = complaintV1();
    const chain = ['hop1', 'hop2', 'hop3', 'hop4', 'hop5'];
    raw.machine.states.received.on.ACCEPT.target = chain[0];
    chain.forEach((name, i) => {
      raw.machine.states[name] = { always: { target: chain[i + 1] ?? 'investigating' } };
      raw.stateLabels[name] = { en: name, 'zh-CN': name };
    });
    expect(lintDefinition(raw).problems).toEqual([]);
    const c = compileUnlinted(raw);
    expect(c.eventless).toBe(true);
    const started = startCase(c, input, now);
    expect(checkEvent(c, started.snapshot, accept, now)).toBeNull();
    expect(step(c, started.snapshot, accept, now).state).toBe('investigating');
  });

  it('are not tried again by checkEvent for a definition without any', () => {
    const c = compileUnlinted(complaintV1());
    expect(c.eventless).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import complaintJson from '../../definitions/shipped/complaint.v1.json';
import workReviewJson from '../fixtures/definitions/work_review.json';
import { DEFINITION_LIMITS } from '../../engine/definition-limits';
import { assertValidDefinition, formatProblems, lintDefinition as lint, type LintCode, type LintProblem } from '../../engine/lint';

/** Every problem and warning the tests below see, to check at the end that each says what is wrong in Chinese too. */
const seen: LintProblem[] = [];
const lintDefinition: typeof lint = (raw) => {
  const result = lint(raw);
  seen.push(...result.problems, ...result.warnings);
  return result;
};

/** Every code the linter has: a code missing here is a type error, so a new rule cannot go unchecked. */
const ALL_CODES: Record<LintCode, true> = {
  schema: true,
  'unknown-target': true,
  'unknown-initial': true,
  'unknown-guard': true,
  'unknown-action': true,
  'unknown-delay': true,
  'numeric-delay': true,
  'undeclared-event': true,
  'unused-event': true,
  'no-role': true,
  'unknown-role': true,
  'unreachable-state': true,
  'no-way-out': true,
  'unknown-parameter': true,
  'parameter-default': true,
  'bad-path': true,
  'unknown-data-field': true,
  'missing-label': true,
  'unknown-label': true,
  'invalid-payload-schema': true,
  'customer-field': true,
  'guard-cycle': true,
  'unknown-invoke': true,
  'unknown-timer': true,
  'too-large': true,
  'reserved-name': true,
  'eventless-cycle': true,
  'invalid-pattern': true,
  'unsafe-pattern': true,
  'missing-field-label': true,
  'missing-enum-label': true,
  'unknown-enum-label': true,
  'unknown-state': true,
  'non-atomic-task': true,
  'unhandled-task-event': true,
  'task-assignee': true,
  'task-return': true,
  'withdrawal-target': true,
  'duplicate-checklist-item': true,
};

afterAll(() => {
  // Run after every test of this file: the broken definitions above produce every code.
  expect(new Set(seen.map((p) => p.code))).toEqual(new Set(Object.keys(ALL_CODES)));
  const han = /[\u4e00-\u9fff]/;
  const untranslated = seen.filter((p) => typeof p.messageZh !== 'string' || !han.test(p.messageZh) || p.messageZh === p.message);
  expect(untranslated).toEqual([]);
});

/** The definition file as untyped JSON, so that a test can break it in any way. */
type Json = any;

/** Lints a deep copy of the shipped complaint definition after `mutate` has broken it. */
function lintMutated(mutate: (d: Json) => void): LintProblem[] {
  const d: Json = structuredClone(complaintJson);
  mutate(d);
  return lintDefinition(d).problems;
}

/** Expects exactly one problem, with this code and path, whose message contains every hint. */
function expectOnly(problems: LintProblem[], code: LintCode, path: string, ...hints: string[]): void {
  expect(problems.map((p) => [p.code, p.path])).toEqual([[code, path]]);
  for (const hint of hints) expect(problems[0]!.message).toContain(hint);
}

/** Expects a problem with this code and path among others, whose message contains every hint. */
function expectSome(problems: LintProblem[], code: LintCode, path: string, ...hints: string[]): void {
  const found = problems.filter((p) => p.code === code && p.path === path);
  expect(found).toHaveLength(1);
  for (const hint of hints) expect(found[0]!.message).toContain(hint);
}

describe('the shipped complaint definition', () => {
  it('lints clean', () => {
    const result = lintDefinition(complaintJson);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.definition?.process).toBe('complaint');
  });

  it('is not changed by linting a mutated copy (the tests below work on deep copies)', () => {
    const before = JSON.stringify(complaintJson);
    lintMutated((d) => {
      d.machine.states.received.on.ACCEPT.target = 'nowhere';
    });
    expect(JSON.stringify(complaintJson)).toBe(before);
  });
});

describe('schema errors (the file format)', () => {
  it('reports a missing field and says to add it', () => {
    const problems = lintMutated((d) => {
      delete d.version;
    });
    expectOnly(problems, 'schema', 'version', '"version" is missing', 'add it', 'number');
  });

  it('reports a value of the wrong type and says what to write', () => {
    const problems = lintMutated((d) => {
      d.events.ACCEPT.roles = 'cs_agent';
    });
    expectOnly(problems, 'schema', 'events.ACCEPT.roles', 'expected array', 'got string "cs_agent"', 'change it to a list');
  });

  it('reports a version given as a string', () => {
    const problems = lintMutated((d) => {
      d.version = '1';
    });
    expectOnly(problems, 'schema', 'version', 'change it to a number');
  });

  it('reports a misspelt field at the field itself, with a did-you-mean', () => {
    const problems = lintMutated((d) => {
      d.events.ACCEPT.rolse = d.events.ACCEPT.roles;
    });
    expectOnly(
      problems,
      'schema',
      'events.ACCEPT.rolse',
      'unknown field "rolse"',
      'did you mean "roles"',
      'remove it or check its spelling',
    );
  });

  it('reports an unknown top-level field at its own path (not "(file)")', () => {
    const problems = lintMutated((d) => {
      d.stateLabel = {};
    });
    expectOnly(problems, 'schema', 'stateLabel', 'did you mean "stateLabels"');
  });

  it('writes list indexes in brackets', () => {
    const problems = lintMutated((d) => {
      d.actions.escalateAcceptance.to[0].rol = 'service_manager';
    });
    expectOnly(problems, 'schema', 'actions.escalateAcceptance.to[0].rol', 'did you mean "role"');
  });

  it('reports a malformed guard expression and lists the operators', () => {
    const problems = lintMutated((d) => {
      d.guards.aboveApprovalLimit = { gt: ['data.compensationAmount'] };
    });
    expectOnly(problems, 'schema', 'guards.aboveApprovalLimit', 'not a guard expression', 'gte', 'every');
  });

  it('reports a value that is neither a path nor a literal', () => {
    const problems = lintMutated((d) => {
      d.actions.recordApproval.set.approvedBy = { path: 'actor.userId' };
    });
    expectOnly(problems, 'schema', 'actions.recordApproval.set.approvedBy', 'write a path', '{ "value": … }');
  });

  it('reports a missing zh-CN label', () => {
    const problems = lintMutated((d) => {
      delete d.events.APPROVE.labels['zh-CN'];
    });
    expectOnly(problems, 'schema', 'events.APPROVE.labels.zh-CN', '"zh-CN" is missing', 'add it');
  });

  it('reports a file that is not an object at all', () => {
    expect(lintDefinition(null).problems).toEqual([
      {
        code: 'schema',
        path: '(file)',
        message: expect.stringContaining('change it to an object'),
        messageZh: expect.stringContaining('请改为对象'),
      },
    ]);
    expect(lintDefinition(null).ok).toBe(false);
  });

  it('reports a misspelt transition field that XState would silently ignore', () => {
    const problems = lintMutated((d) => {
      d.machine.states.investigating.on.SUBMIT_FINDINGS = { taget: 'planning', actions: 'recordFindings' };
    });
    expectSome(problems, 'schema', 'machine.states.investigating.on.SUBMIT_FINDINGS.taget', 'did you mean "target"');
  });

  it('reports a misspelt state field and a misspelt state type', () => {
    const problems = lintMutated((d) => {
      d.machine.states.followingUp.afer = d.machine.states.followingUp.after;
      delete d.machine.states.followingUp.after;
      d.machine.states.closed.type = 'finl';
    });
    expectSome(problems, 'schema', 'machine.states.followingUp.afer', 'did you mean "after"');
    expectSome(problems, 'schema', 'machine.states.closed.type', 'did you mean "final"');
  });
});

describe('targets and initial states', () => {
  it('reports a target typo with a did-you-mean, without follow-on reachability reports', () => {
    const problems = lintMutated((d) => {
      d.machine.states.investigating.on.SUBMIT_FINDINGS.target = 'planing';
    });
    expectOnly(
      problems,
      'unknown-target',
      'machine.states.investigating.on.SUBMIT_FINDINGS',
      'unknown target "planing"',
      'did you mean "planning"',
    );
  });

  it('reports a typo in one branch of a guarded transition list', () => {
    const problems = lintMutated((d) => {
      d.machine.states.planning.on.PROPOSE_RESOLUTION[1].target = 'comunicating';
    });
    expectOnly(problems, 'unknown-target', 'machine.states.planning.on.PROPOSE_RESOLUTION[1]', 'did you mean "communicating"');
  });

  it('reports a plain target on the machine root, which XState refuses, and says to write ".child"', () => {
    const problems = lintMutated((d) => {
      d.machine.on.WITHDRAW.target = 'withdrawn';
    });
    expectOnly(problems, 'unknown-target', 'machine.on.WITHDRAW', 'write ".withdrawn"');
  });

  it('accepts #machine.path and #customId targets, and reports a bad one', () => {
    expect(
      lintMutated((d) => {
        d.machine.states.investigating.on.SUBMIT_FINDINGS.target = '#complaint.planning';
      }),
    ).toEqual([]);
    expect(
      lintMutated((d) => {
        d.machine.states.planning.id = 'plan';
        d.machine.states.investigating.on.SUBMIT_FINDINGS.target = '#plan';
      }),
    ).toEqual([]);
    const problems = lintMutated((d) => {
      d.machine.states.investigating.on.SUBMIT_FINDINGS.target = '#complaint.planing';
    });
    expectOnly(problems, 'unknown-target', 'machine.states.investigating.on.SUBMIT_FINDINGS', 'did you mean "planning"');
  });

  it('reports an unknown initial state with a did-you-mean', () => {
    const problems = lintMutated((d) => {
      d.machine.initial = 'recieved';
    });
    expectOnly(problems, 'unknown-initial', 'machine.initial', 'initial state "recieved"', 'did you mean "received"');
  });
});

describe('guards, actions and delays', () => {
  it('reports an unknown guard on a transition', () => {
    const problems = lintMutated((d) => {
      d.machine.states.planning.on.PROPOSE_RESOLUTION[0].guard = 'aboveApprovalLimt';
    });
    expectOnly(
      problems,
      'unknown-guard',
      'machine.states.planning.on.PROPOSE_RESOLUTION[0].guard',
      'did you mean "aboveApprovalLimit"',
      'declare it under "guards"',
    );
  });

  it('reports an unknown guard referred to from another guard', () => {
    const problems = lintMutated((d) => {
      d.guards.aboveApprovalLimit = { and: [{ gt: ['data.compensationAmount', 'param.approvalLimit'] }, { guard: 'promiseNotRemindd' }] };
    });
    expectOnly(problems, 'unknown-guard', 'guards.aboveApprovalLimit.and[1].guard', 'did you mean "promiseNotReminded"');
  });

  it('reports an unknown action on a transition', () => {
    const problems = lintMutated((d) => {
      d.machine.states.received.on.ACCEPT.actions = 'recordAcceptence';
    });
    expectOnly(
      problems,
      'unknown-action',
      'machine.states.received.on.ACCEPT.actions',
      'did you mean "recordAcceptance"',
      'declare it under "actions"',
    );
  });

  it('reports an unknown entry action', () => {
    const problems = lintMutated((d) => {
      d.machine.states.executing.entry = ['remindFollowUp', 'remindFolowUp'];
    });
    expectOnly(
      problems,
      'unknown-action',
      'machine.states.executing.entry',
      'unknown action "remindFolowUp"',
      'did you mean "remindFollowUp"',
    );
  });

  it('reports an unknown delay with a did-you-mean', () => {
    const problems = lintMutated((d) => {
      d.machine.states.received.after = { acceptDeu: { actions: 'escalateAcceptance' } };
    });
    expectOnly(
      problems,
      'unknown-delay',
      'machine.states.received.after.acceptDeu',
      'did you mean "acceptDue"',
      'declare it under "delays"',
    );
  });

  it('reports a raw number of milliseconds as a delay', () => {
    const problems = lintMutated((d) => {
      d.machine.states.received.after = { '86400000': { actions: 'escalateAcceptance' } };
    });
    expectOnly(
      problems,
      'numeric-delay',
      'machine.states.received.after.86400000',
      'raw number of milliseconds',
      'name a delay under "delays"',
    );
  });

  it('reports a guard cycle at every guard in it', () => {
    const problems = lintMutated((d) => {
      d.guards.promiseNotReminded = { and: [{ not: { truthy: 'context.promiseReminded' } }, { guard: 'promiseNotBreached' }] };
      d.guards.promiseNotBreached = { or: [{ guard: 'promiseNotReminded' }] };
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['guard-cycle', 'guards.promiseNotReminded'],
      ['guard-cycle', 'guards.promiseNotBreached'],
    ]);
    for (const p of problems) expect(p.message).toContain('break the cycle');
  });

  it('reports a guard that refers to itself', () => {
    const problems = lintMutated((d) => {
      d.guards.promiseNotBreached = { not: { guard: 'promiseNotBreached' } };
    });
    expectOnly(problems, 'guard-cycle', 'guards.promiseNotBreached', 'refers back to itself', 'break the cycle');
  });
});

describe('events and roles', () => {
  it("reports an event in a state's on that is not declared, and the declared one left unused", () => {
    const problems = lintMutated((d) => {
      const on = d.machine.states.executing.on;
      on.RESOLUTION_EXECUTD = on.RESOLUTION_EXECUTED;
      delete on.RESOLUTION_EXECUTED;
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['undeclared-event', 'machine.states.executing.on.RESOLUTION_EXECUTD'],
      ['unused-event', 'events.RESOLUTION_EXECUTED'],
    ]);
    expect(problems[0]!.message).toContain('did you mean "RESOLUTION_EXECUTED"');
    expect(problems[0]!.message).toContain('declare it under "events"');
  });

  it('reports a declared event no state accepts', () => {
    const problems = lintMutated((d) => {
      d.events.ESCALATE = { roles: ['cs_agent'], labels: { en: 'Escalate', 'zh-CN': '升级' } };
    });
    expectOnly(problems, 'unused-event', 'events.ESCALATE', 'add a transition for it or remove it');
  });

  it('reports an event no role may send', () => {
    const problems = lintMutated((d) => {
      d.events.APPROVE.roles = [];
    });
    expectOnly(problems, 'no-role', 'events.APPROVE.roles', 'no role may send APPROVE', 'list the roles allowed to send it');
  });

  it('reports a misspelt role of an event, of a notification recipient and of startedBy', () => {
    expectOnly(
      lintMutated((d) => {
        d.events.APPROVE.roles = ['service_manger'];
      }),
      'unknown-role',
      'events.APPROVE.roles[0]',
      'unknown role "service_manger"',
      'did you mean "service_manager"',
    );
    expectOnly(
      lintMutated((d) => {
        d.actions.escalateAcceptance.to[0].role = 'service_manger';
      }),
      'unknown-role',
      'actions.escalateAcceptance.to[0].role',
      'did you mean "service_manager"',
    );
    expectOnly(
      lintMutated((d) => {
        d.startedBy = ['cs_agnet'];
      }),
      'unknown-role',
      'startedBy[0]',
      'did you mean "cs_agent"',
    );
  });

  it('reports a payload schema that is not an object schema', () => {
    const problems = lintMutated((d) => {
      d.events.APPROVE.payload = { type: 'array' };
    });
    expectOnly(problems, 'invalid-payload-schema', 'events.APPROVE.payload.type', 'set "type": "object"');
  });
});

describe('reachability and ways out', () => {
  it('reports a state no transition leads to', () => {
    const problems = lintMutated((d) => {
      d.machine.states.onHold = { on: { LOG_CONTACT: { target: 'investigating' } } };
      d.stateLabels.onHold = { en: 'On hold', 'zh-CN': '暂停' };
    });
    expectOnly(problems, 'unreachable-state', 'machine.states.onHold', 'cannot be reached', 'add a transition to it or remove it');
  });

  it('reports a non-final state whose only transition loops back to itself', () => {
    // Without "type": "final", withdrawn's only way on is the machine's WITHDRAW, which leads back to it.
    const problems = lintMutated((d) => {
      delete d.machine.states.withdrawn.type;
    });
    expectOnly(problems, 'no-way-out', 'machine.states.withdrawn', 'no path leads from it to a final state', 'mark it "type": "final"');
  });

  it('reports every state that can only cycle once the way to the final states is gone', () => {
    const problems = lintMutated((d) => {
      delete d.machine.on;
      d.machine.states.received.on.WITHDRAW = { target: 'withdrawn', actions: 'recordWithdrawal' };
      d.machine.states.followingUp.on.CUSTOMER_SATISFIED.target = 'followingUp';
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['unreachable-state', 'machine.states.closed'],
      ...['investigating', 'planning', 'awaitingApproval', 'communicating', 'executing', 'followingUp'].map((s) => [
        'no-way-out',
        `machine.states.${s}`,
      ]),
    ]);
  });
});

describe('parameters and paths', () => {
  it('reports an unknown parameter read by a guard', () => {
    const problems = lintMutated((d) => {
      d.guards.aboveApprovalLimit.gt[1] = 'param.aprovalLimit';
    });
    expectOnly(
      problems,
      'unknown-parameter',
      'guards.aboveApprovalLimit.gt[1]',
      'unknown parameter "aprovalLimit"',
      'did you mean "approvalLimit"',
      'declare it under "parameters"',
    );
  });

  it('reports an unknown parameter read by a delay', () => {
    const problems = lintMutated((d) => {
      d.delays.acceptDue.businessDays.param = 'acceptDay';
    });
    expectOnly(
      problems,
      'unknown-parameter',
      'delays.acceptDue.businessDays.param',
      'did you mean "acceptDays"',
      'declare it under "parameters"',
    );
  });

  it('reports a delay counting a parameter that is not a number', () => {
    const problems = lintMutated((d) => {
      d.parameters.acceptDays = { type: 'string', default: 'one', labels: { en: 'x', 'zh-CN': 'x' } };
    });
    expectOnly(problems, 'unknown-parameter', 'delays.acceptDue.businessDays.param', 'is a string; a delay needs a number');
  });

  it('reports a parameter default of the wrong type or out of bounds', () => {
    expectOnly(
      lintMutated((d) => {
        d.parameters.acceptDays.default = 1.5;
      }),
      'parameter-default',
      'parameters.acceptDays.default',
      'not of type integer',
      'change the default or the type',
    );
    expectOnly(
      lintMutated((d) => {
        d.parameters.approvalLimit.default = -1;
      }),
      'parameter-default',
      'parameters.approvalLimit.default',
      'change the default or the bounds',
    );
  });

  it('reports a string that is not a path', () => {
    const problems = lintMutated((d) => {
      d.actions.recordApproval.set.approvedBy = 'user.id';
    });
    expectOnly(
      problems,
      'bad-path',
      'actions.recordApproval.set.approvedBy',
      'start it with data., context., param., actor.',
      '{ "value": "user.id" }',
    );
  });

  it('reports a literal string written where a value is read, in a guard', () => {
    const problems = lintMutated((d) => {
      d.guards.aboveApprovalLimit = { eq: ['context.severity', 'high'] };
    });
    expectOnly(problems, 'bad-path', 'guards.aboveApprovalLimit.eq[1]', '{ "value": "high" }');
  });

  it('reports an actor field that does not exist, and item. outside some/every', () => {
    expectOnly(
      lintMutated((d) => {
        d.actions.recordApproval.set.approvedBy = 'actor.name';
      }),
      'bad-path',
      'actions.recordApproval.set.approvedBy',
      'an actor has only userId and role',
    );
    expectOnly(
      lintMutated((d) => {
        d.delays.promiseDue.from = 'item.promisedResponseBy';
      }),
      'bad-path',
      'delays.promiseDue.from',
      'start it with data., context.',
    );
  });

  it("reports a data field the event's payload does not declare", () => {
    const problems = lintMutated((d) => {
      d.actions.recordFindings.set.findings = 'data.finding';
    });
    expectOnly(
      problems,
      'unknown-data-field',
      'machine.states.investigating.on.SUBMIT_FINDINGS',
      'has no field "finding"',
      'did you mean "findings"',
      'add it to events.SUBMIT_FINDINGS.payload.properties',
    );
  });

  it('reports a data field read by a guard, for the event the guard is used on', () => {
    const problems = lintMutated((d) => {
      d.machine.states.awaitingApproval.on.APPROVE = { guard: 'aboveApprovalLimit', target: 'communicating', actions: 'recordApproval' };
    });
    expectOnly(
      problems,
      'unknown-data-field',
      'machine.states.awaitingApproval.on.APPROVE',
      'guards.aboveApprovalLimit reads "data.compensationAmount"',
      'add it to events.APPROVE.payload.properties',
    );
  });

  it('reports event data read on a timer transition, which carries none', () => {
    const problems = lintMutated((d) => {
      d.machine.states.received.after.acceptDue.actions = ['escalateAcceptance', 'recordExecution'];
    });
    expectOnly(
      problems,
      'unknown-data-field',
      'machine.states.received.after.acceptDue',
      'an after transition carries no event data',
      'read it from context instead',
    );
  });

  it('accepts any data field when the payload admits additional properties', () => {
    const problems = lintMutated((d) => {
      d.events.SUBMIT_FINDINGS.payload.additionalProperties = true;
      d.actions.recordFindings.set.rootCause = 'data.rootCause';
    });
    expect(problems).toEqual([]);
  });

  it('accepts the common fields comment and attachments on every event', () => {
    const problems = lintMutated((d) => {
      d.actions.recordApproval.set.approvalComment = 'data.comment';
      d.actions.recordApproval.set.approvalAttachments = 'data.attachments';
    });
    expect(problems).toEqual([]);
  });
});

describe('labels and the customer field', () => {
  it('reports a state without labels', () => {
    const problems = lintMutated((d) => {
      delete d.stateLabels.executing;
    });
    expectOnly(problems, 'missing-label', 'stateLabels.executing', 'add { "en": …, "zh-CN": … } under stateLabels."executing"');
  });

  it('reports labels of a state that does not exist', () => {
    const problems = lintMutated((d) => {
      d.stateLabels.closd = { en: 'Closed', 'zh-CN': '已结案' };
    });
    expectOnly(problems, 'unknown-label', 'stateLabels.closd', 'did you mean "closed"');
  });

  it('reports a customerField the input does not require', () => {
    const problems = lintMutated((d) => {
      d.input.required = d.input.required.filter((f: string) => f !== 'customer');
    });
    expectOnly(problems, 'customer-field', 'customerField', 'the input must require "customer"', 'add it to input.required');
  });
});

describe('labels of payload fields and enum values (warnings: the definition still publishes)', () => {
  const warningsOf = (mutate: (d: Json) => void) => {
    const d: Json = structuredClone(complaintJson);
    mutate(d);
    return lintDefinition(d);
  };

  it('the shipped definitions label every field and enum value in both languages', () => {
    for (const file of ['complaint', 'contract', 'follow_up', 'improvement_measure', 'lost_deal', 'visit']) {
      const result = lintDefinition(JSON.parse(readFileSync(join(__dirname, '..', '..', 'definitions', `${file}.json`), 'utf8')));
      expect([file, result.problems, result.warnings]).toEqual([file, [], []]);
    }
  });

  it('warns about a field without labels, and one without its Chinese label, and stays publishable', () => {
    const result = warningsOf((d) => {
      delete d.events.ACCEPT.payload.properties.assignee['x-labels'];
      d.input.properties.contact['x-labels'] = { en: 'Contact' };
    });
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.warnings.map((w) => [w.code, w.path])).toEqual([
      ['missing-field-label', 'input.properties.contact'],
      ['missing-field-label', 'events.ACCEPT.payload.properties.assignee'],
    ]);
    expect(result.warnings[0]!.message).toBe('field "contact" has no zh-CN label — add "x-labels": { "en": …, "zh-CN": … } to it');
    expect(result.warnings[1]!.messageZh).toContain('字段 "assignee" 缺少 en、zh-CN 标签');
  });

  it('walks nested objects and lists of objects', () => {
    const result = warningsOf((d) => {
      d.events.SUBMIT_FINDINGS.payload.properties.parts = {
        'x-labels': { en: 'Parts', 'zh-CN': '部件' },
        type: 'array',
        items: { type: 'object', properties: { serial: { type: 'string' } } },
      };
      d.events.SUBMIT_FINDINGS.payload.properties.site = {
        'x-labels': { en: 'Site', 'zh-CN': '现场' },
        type: 'object',
        properties: { room: { type: 'string', 'x-labels': { en: 'Room', 'zh-CN': '房间' } }, floor: { type: 'integer' } },
      };
    });
    expect(result.warnings.map((w) => [w.code, w.path])).toEqual([
      ['missing-field-label', 'events.SUBMIT_FINDINGS.payload.properties.parts.items.properties.serial'],
      ['missing-field-label', 'events.SUBMIT_FINDINGS.payload.properties.site.properties.floor'],
    ]);
    expect(result.warnings[0]!.message).toContain('field "parts[].serial"');
  });

  it('warns about an enum value without labels, and labels of a value that is no choice', () => {
    const result = warningsOf((d) => {
      const severity = d.input.properties.severity;
      severity.enum.push('critical');
      severity['x-enum-labels'].hgih = { en: 'High', 'zh-CN': '高' };
      d.events.LOG_CONTACT.payload.properties.topics = {
        'x-labels': { en: 'Topics', 'zh-CN': '话题' },
        type: 'array',
        items: { type: 'string', enum: ['price', 'delay'], 'x-enum-labels': { price: { en: 'Price', 'zh-CN': '价格' } } },
      };
    });
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => [w.code, w.path])).toEqual([
      ['missing-enum-label', 'input.properties.severity.x-enum-labels.critical'],
      ['unknown-enum-label', 'input.properties.severity.x-enum-labels.hgih'],
      ['missing-enum-label', 'events.LOG_CONTACT.payload.properties.topics.items.x-enum-labels.delay'],
    ]);
    expect(result.warnings[1]!.message).toContain('did you mean "high"?');
    expect(result.warnings[1]!.messageZh).toContain('是否想写 "high"');
  });

  it('a definition written before labels existed still lints clean of problems', () => {
    const result = warningsOf((d) => {
      const strip = (schema: Json) => {
        for (const prop of Object.values<Json>(schema?.properties ?? {})) {
          delete prop['x-labels'];
          delete prop['x-enum-labels'];
        }
      };
      strip(d.input);
      for (const e of Object.values<Json>(d.events)) strip(e.payload);
    });
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.warnings.length).toBeGreaterThan(20);
    expect(new Set(result.warnings.map((w) => w.code))).toEqual(new Set(['missing-field-label', 'missing-enum-label']));
  });

  it('formats problems in either language', () => {
    const result = warningsOf((d) => {
      delete d.input.properties.contact['x-labels'];
    });
    expect(formatProblems(result.warnings)).toBe(
      '  input.properties.contact: field "contact" has no en or zh-CN label — add "x-labels": { "en": …, "zh-CN": … } to it [missing-field-label]',
    );
    expect(formatProblems(result.warnings, 'zh-CN')).toContain('字段 "contact" 缺少 en、zh-CN 标签');
  });
});

describe('several mistakes at once', () => {
  it('reports all of them, each at its own path', () => {
    const problems = lintMutated((d) => {
      d.machine.states.investigating.on.SUBMIT_FINDINGS.target = 'planing';
      d.events.APPROVE.roles = ['service_manger'];
      delete d.stateLabels.executing;
      d.guards.aboveApprovalLimit.gt[1] = 'param.aprovalLimit';
      d.machine.states.received.after = { '3600000': { actions: 'escalateAcceptance' } };
      d.actions.recordApproval.set.approvedBy = 'user.id';
      d.events.ESCALATE = { roles: ['cs_agent'], labels: { en: 'Escalate', 'zh-CN': '升级' } };
      d.input.required = ['contact'];
    });
    expect(new Set(problems.map((p) => `${p.code} ${p.path}`))).toEqual(
      new Set([
        'unknown-target machine.states.investigating.on.SUBMIT_FINDINGS',
        'unknown-role events.APPROVE.roles[0]',
        'missing-label stateLabels.executing',
        'unknown-parameter guards.aboveApprovalLimit.gt[1]',
        'numeric-delay machine.states.received.after.3600000',
        'bad-path actions.recordApproval.set.approvedBy',
        'unused-event events.ESCALATE',
        'customer-field customerField',
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it('assertValidDefinition throws one error listing every problem', () => {
    const d: Json = structuredClone(complaintJson);
    d.machine.initial = 'recieved';
    d.events.APPROVE.roles = [];
    const { problems } = lintDefinition(d);
    expect(() => assertValidDefinition(d, 'definitions/complaint.json')).toThrow(
      `definitions/complaint.json has 2 problem(s):\n${formatProblems(problems)}`,
    );
    expect(formatProblems(problems)).toContain('machine.initial: initial state "recieved"');
    expect(formatProblems(problems)).toContain('[no-role]');
    expect(assertValidDefinition(structuredClone(complaintJson)).process).toBe('complaint');
  });
});

/** Adds labelled states to a copy of the complaint definition (`config` per state name). */
function withStates(d: Json, states: Record<string, Json>): void {
  for (const [name, config] of Object.entries(states)) {
    d.machine.states[name] = config;
    d.stateLabels[name] = { en: name, 'zh-CN': name };
  }
}

describe('eventless loops (always, onDone), which would never let a case come to rest', () => {
  it('reports two states whose always transitions lead to each other, naming the loop and the fix', () => {
    const problems = lintMutated((d) => {
      d.machine.states.received.always = { target: 'investigating' };
      d.machine.states.investigating.always = { target: 'received' };
    });
    expectOnly(
      problems,
      'eventless-cycle',
      'machine.states.received.always',
      'received → investigating → received',
      'machine.states.received.always, machine.states.investigating.always',
      'wait for an event ("on") or a delay ("after")',
      'engine stops an event after 100 steps',
    );
  });

  it('reports a guarded loop too, and says that a guard does not make it safe', () => {
    const problems = lintMutated((d) => {
      d.machine.states.received.always = { guard: 'aboveApprovalLimit', target: 'investigating' };
      d.machine.states.investigating.always = [{ guard: 'promiseNotReminded', target: 'received' }];
    });
    expectSome(problems, 'eventless-cycle', 'machine.states.received.always', 'A guard does not make such a loop safe');
    expect(problems.filter((p) => p.code === 'eventless-cycle')).toHaveLength(1);
  });

  it('reports a longer loop once, at its first state', () => {
    const problems = lintMutated((d) => {
      withStates(d, {
        checkA: { always: { target: 'checkB' } },
        checkB: { always: { target: 'checkC' } },
        checkC: { always: { target: 'checkA' } },
      });
      d.machine.states.received.on.ACCEPT.target = 'checkA';
    });
    expectSome(problems, 'eventless-cycle', 'machine.states.checkA.always', 'checkA → checkB → checkC → checkA');
    expect(problems.filter((p) => p.code === 'eventless-cycle')).toHaveLength(1);
  });

  it('reports a state whose always targets itself, and one whose always has no target', () => {
    const self = lintMutated((d) => {
      d.machine.states.received.always = { target: 'received' };
    });
    expectOnly(self, 'eventless-cycle', 'machine.states.received.always', 'received → received');
    const stays = lintMutated((d) => {
      d.machine.states.received.always = { guard: 'promiseNotReminded', actions: 'markPromiseReminded' };
    });
    expectSome(stays, 'eventless-cycle', 'machine.states.received.always', 'received → received');
  });

  it('reports a loop through nested states (a child leaving its parent, the parent entering it again)', () => {
    const problems = lintMutated((d) => {
      withStates(d, {
        review: { initial: 'first', states: { first: { always: { target: '#complaint.sorting' } } } },
        sorting: { always: { target: 'review' } },
      });
      d.stateLabels['review.first'] = { en: 'first', 'zh-CN': 'first' };
      d.machine.states.received.on.ACCEPT.target = 'review';
    });
    expectSome(problems, 'eventless-cycle', 'machine.states.review.states.first.always', 'review.first → sorting → review.first');
  });

  it("reports a parent's always that keeps it where it is, and an onDone that enters its own parent again", () => {
    const parent = lintMutated((d) => {
      withStates(d, {
        review: {
          initial: 'first',
          always: { target: '.first' },
          states: { first: { on: { ACCEPT: 'second' } }, second: { type: 'final' } },
          onDone: 'investigating',
        },
      });
      d.stateLabels['review.first'] = d.stateLabels['review.second'] = { en: 'x', 'zh-CN': 'x' };
      d.machine.states.received.on.ACCEPT.target = 'review';
    });
    expectSome(parent, 'eventless-cycle', 'machine.states.review.always', 'review → review');
    const done = lintMutated((d) => {
      withStates(d, { review: { initial: 'done', states: { done: { type: 'final' } }, onDone: { target: 'review', reenter: true } } });
      d.stateLabels['review.done'] = { en: 'x', 'zh-CN': 'x' };
      d.machine.states.received.on.ACCEPT.target = 'review';
    });
    expectSome(done, 'eventless-cycle', 'machine.states.review.onDone', 'review.done → review.done');
  });

  it('accepts a chain of always transitions that ends in a state waiting for an event', () => {
    const problems = lintMutated((d) => {
      withStates(d, {
        sortA: { always: [{ guard: 'promiseNotReminded', target: 'sortB' }, { target: 'investigating' }] },
        sortB: { always: { target: 'investigating' } },
      });
      d.machine.states.received.on.ACCEPT.target = 'sortA';
    });
    expect(problems).toEqual([]);
  });
});

describe('payload patterns', () => {
  const withPattern = (pattern: string, where: 'event' | 'input' = 'event') =>
    lintMutated((d) => {
      if (where === 'input') d.input.properties.contact.pattern = pattern;
      else d.events.LOG_CONTACT.payload.properties.summary.pattern = pattern;
    });

  it('reports a pattern vulnerable to catastrophic backtracking, in an event payload and in the start input', () => {
    expectOnly(
      withPattern('^(a+)+$'),
      'unsafe-pattern',
      'events.LOG_CONTACT.payload.properties.summary.pattern',
      '"^(a+)+$" is vulnerable to catastrophic backtracking',
      'rewrite it',
    );
    expectOnly(withPattern('^(\\w+\\s?)*$', 'input'), 'unsafe-pattern', 'input.properties.contact.pattern', 'catastrophic backtracking');
  });

  it('reports a pattern that is no regular expression in unicode mode, as the payload validator reads it', () => {
    expectOnly(
      withPattern('[a-z'),
      'invalid-pattern',
      'events.LOG_CONTACT.payload.properties.summary.pattern',
      'not a valid regular expression',
    );
    // Valid without the u flag, refused with it: every payload would fail to be checked.
    expectOnly(withPattern('^\\-$'), 'invalid-pattern', 'events.LOG_CONTACT.payload.properties.summary.pattern', 'unicode mode');
  });

  it('reports patterns wherever a schema nests them: items, patternProperties keys, $defs', () => {
    const problems = lintMutated((d) => {
      d.events.LOG_CONTACT.payload.properties.tags = { type: 'array', items: { type: 'string', pattern: '^(a|a)*$' } };
      d.events.LOG_CONTACT.payload.properties.extra = { type: 'object', patternProperties: { '^(x+)+$': { type: 'string' } } };
      d.events.LOG_CONTACT.payload.$defs = { code: { type: 'string', pattern: '^([a-z]*)*$' } };
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['unsafe-pattern', 'events.LOG_CONTACT.payload.properties.tags.items.pattern'],
      ['unsafe-pattern', 'events.LOG_CONTACT.payload.properties.extra.patternProperties.^(x+)+$'],
      ['unsafe-pattern', 'events.LOG_CONTACT.payload.$defs.code.pattern'],
    ]);
  });

  it('accepts ordinary patterns: phone numbers, dates, e-mail addresses, codes', () => {
    for (const pattern of [
      '^\\+?[0-9 ()-]{6,20}$',
      '^1[3-9][0-9]{9}$',
      '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
      '^[^@\\s]+@[^@\\s.]+(?:\\.[^@\\s.]+)+$',
      '^[A-Z]{2}-[0-9]{4,8}$',
      '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$',
      '^\\p{L}[\\p{L} ]{0,99}$',
    ])
      expect([pattern, withPattern(pattern)]).toEqual([pattern, []]);
  });

  it('reports a pattern the check cannot read, and one that is too long to check', () => {
    expectOnly(withPattern('^(?<year>[0-9]{4})$'), 'unsafe-pattern', 'events.LOG_CONTACT.payload.properties.summary.pattern', 'named one');
    expectOnly(
      withPattern(`^${'[a-z]'.repeat(120)}$`),
      'too-large',
      'events.LOG_CONTACT.payload.properties.summary.pattern',
      'longer than 500 characters',
    );
  });

  it('does not read a "pattern" inside data keywords (const, enum, default, examples) as a pattern', () => {
    const problems = lintMutated((d) => {
      d.events.LOG_CONTACT.payload.properties.summary.examples = [{ pattern: '^(a+)+$' }];
    });
    expect(problems).toEqual([]);
  });
});

describe('size limits', () => {
  it('are one exported object, with room above every shipped definition', () => {
    expect(DEFINITION_LIMITS).toMatchObject({ states: 500, events: 200, bytes: 1_000_000 });
  });

  it('refuses more states than the limit, and says how to shrink the process', () => {
    const problems = lintMutated((d) => {
      const states: Record<string, Json> = {};
      for (let i = 0; i < DEFINITION_LIMITS.states; i++) states[`extra${i}`] = { on: { WITHDRAW: 'withdrawn' } };
      withStates(d, states);
    });
    expectOnly(
      problems,
      'too-large',
      'machine.states',
      `${DEFINITION_LIMITS.states + 9} states; a definition may have at most 500 states`,
      'sub-processes',
    );
  });

  it('refuses more events than the limit', () => {
    const problems = lintMutated((d) => {
      for (let i = 0; i <= DEFINITION_LIMITS.events; i++)
        d.events[`EXTRA_${i}`] = { roles: ['cs_agent'], labels: { en: 'x', 'zh-CN': 'x' } };
    });
    expectOnly(problems, 'too-large', 'events', 'at most 200 events');
  });

  it('refuses a file over the byte limit before reading it as a definition', () => {
    const problems = lintMutated((d) => {
      d.description = 'x'.repeat(DEFINITION_LIMITS.bytes);
    });
    expectOnly(problems, 'too-large', '(file)', 'a definition may have at most 1,000,000 bytes');
  });

  it('refuses a file nested too deep, without overflowing the stack', () => {
    const problems = lintMutated((d) => {
      let guard: Json = { truthy: 'context.x' };
      for (let i = 0; i < 100_000; i++) guard = { not: guard };
      d.guards.deep = guard;
    });
    expectOnly(problems, 'too-large', '(file)', `more than ${DEFINITION_LIMITS.depth} levels`);
  });
});

describe('names that are properties of every JavaScript object', () => {
  const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
  /** A definition with `name` put where the file names something, as JSON.parse would read it. */
  const placements: Array<[string, (d: Json, name: string) => void]> = [
    ['a transition action', (d, n) => (d.machine.states.received.on.ACCEPT.actions = n)],
    ['an entry action', (d, n) => (d.machine.states.received.entry = n)],
    ['a guard', (d, n) => (d.machine.states.received.on.ACCEPT.guard = n)],
    ['a target', (d, n) => (d.machine.states.received.on.ACCEPT.target = n)],
    ['an initial state', (d, n) => (d.machine.initial = n)],
    ['an event a state accepts', (d, n) => (d.machine.states.received.on = JSON.parse(`{"${n}": "closed"}`))],
    ['a delay', (d, n) => (d.machine.states.received.after = JSON.parse(`{"${n}": "closed"}`))],
    ['a declared event', (d, n) => (d.events = JSON.parse(JSON.stringify(d.events).replace('"WITHDRAW":', `"${n}":`)))],
    ['a declared action', (d, n) => (d.actions = JSON.parse(JSON.stringify(d.actions).replace('"logContact"', `"${n}"`)))],
    ['a parameter read by a delay', (d, n) => (d.delays.acceptDue.businessDays = { param: n })],
    ['a parameter read by a guard', (d, n) => (d.guards.aboveApprovalLimit = { gt: ['context.amount', `param.${n}`] })],
    ['a guard read by a guard', (d, n) => (d.guards.aboveApprovalLimit = { guard: n })],
    ['a delay read by a value', (d, n) => (d.guards.aboveApprovalLimit = { before: [{ dueAt: n }, 'now'] })],
    ['a state', (d, n) => (d.machine.states = JSON.parse(JSON.stringify(d.machine.states).replace('"withdrawn"', `"${n}"`)))],
    ['a state label', (d, n) => (d.stateLabels = JSON.parse(JSON.stringify(d.stateLabels).replace('"withdrawn"', `"${n}"`)))],
    ['a timer event', (d, n) => (d.machine.states.received.on = JSON.parse(`{"timer.${n}": "closed"}`))],
    ['an invoked task', (d, n) => (d.machine.states.received.invoke = { id: n, src: n, onDone: 'closed' })],
    ['a role', (d, n) => (d.events.ACCEPT.roles = [n])],
  ];

  it.each(PROTO_NAMES)('gives findings, never an exception, wherever "%s" is written', (name) => {
    for (const [where, put] of placements) {
      let result: ReturnType<typeof lintDefinition> | undefined;
      expect(() => {
        result = lintDefinition(
          (() => {
            const d: Json = JSON.parse(JSON.stringify(complaintJson));
            put(d, name);
            return d;
          })(),
        );
      }).not.toThrow();
      expect([where, result!.ok]).toEqual([where, false]);
      expect(result!.problems.length).toBeGreaterThan(0);
    }
  });

  it('reports a __proto__ key anywhere in the file as a name to change', () => {
    const d: Json = JSON.parse(JSON.stringify(complaintJson).replace('"WITHDRAW":', '"__proto__":'));
    expectSome(lintDefinition(d).problems, 'reserved-name', 'events.__proto__', 'rename it');
  });

  it('reports an unknown action named "constructor" as unknown, not as the object constructor', () => {
    expectOnly(
      lintMutated((d) => (d.machine.states.received.on.ACCEPT.actions = 'constructor')),
      'unknown-action',
      'machine.states.received.on.ACCEPT.actions',
      'unknown action "constructor"',
    );
    expectOnly(
      lintMutated((d) => (d.delays.acceptDue.businessDays = { param: 'constructor' })),
      'unknown-parameter',
      'delays.acceptDue.businessDays.param',
      'unknown parameter "constructor"',
    );
  });
});

describe("people's work (humanTasks, withdrawal, taskManagers)", () => {
  /** Lints a deep copy of the work review fixture after `mutate` has broken it. */
  const lintWork = (mutate: (d: Json) => void): LintProblem[] => {
    const d: Json = structuredClone(workReviewJson);
    mutate(d);
    return lintDefinition(d).problems;
  };

  it('lints the fixture clean', () => {
    expect(lintWork(() => {})).toEqual([]);
  });

  it('reports a task on a state that does not exist, with the closest name', () => {
    expectSome(
      lintWork((d) => {
        d.humanTasks.investigatin = d.humanTasks.investigating;
        delete d.humanTasks.investigating;
      }),
      'unknown-state',
      'humanTasks.investigatin',
      'did you mean "investigating"',
    );
  });

  it('reports a task on a state with child states', () => {
    const problems = lintWork((d) => {
      d.machine.states.investigating = { initial: 'a', states: { a: { on: d.machine.states.investigating.on } } };
      d.stateLabels['investigating.a'] = { en: 'A', 'zh-CN': '甲' };
    });
    expectSome(problems, 'non-atomic-task', 'humanTasks.investigating', 'atomic');
  });

  it('reports open, approve and reject events that are not declared or not handled in the state', () => {
    const problems = lintWork((d) => {
      d.humanTasks.investigating.openEvents = ['LOG_CONTCT', 'APPROVE'];
      d.humanTasks.approving.approval.reject = 'SUBMIT_FINDINGS';
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['undeclared-event', 'humanTasks.investigating.openEvents[0]'],
      ['unhandled-task-event', 'humanTasks.investigating.openEvents[1]'],
      ['unhandled-task-event', 'humanTasks.approving.approval.reject'],
    ]);
    expect(problems[0]!.message).toContain('did you mean "LOG_CONTACT"');
  });

  it('reports a return to a state that is not a human step', () => {
    expectOnly(
      lintWork((d) => {
        d.humanTasks.approving.returnTo = ['approved'];
      }),
      'task-return',
      'humanTasks.approving.returnTo[0]',
      'not a human step',
    );
  });

  it('reports a withdrawal target that is not final, and from states that do not exist', () => {
    const problems = lintWork((d) => {
      d.withdrawal = { target: 'investigating', from: ['aproving'] };
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['withdrawal-target', 'withdrawal.target'],
      ['unknown-state', 'withdrawal.from[0]'],
      // Nothing else leads to "withdrawn" now.
      ['unreachable-state', 'machine.states.withdrawn'],
    ]);
  });

  it('reports roles outside the catalogue and assigneeOnly without an assignee', () => {
    const problems = lintWork((d) => {
      d.taskManagers = ['service_manger'];
      d.humanTasks.investigating.candidates = [{ role: 'handlr' }];
      delete d.humanTasks.investigating.assignee;
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['unknown-role', 'taskManagers[0]'],
      ['unknown-role', 'humanTasks.investigating.candidates[0].role'],
      ['task-assignee', 'humanTasks.investigating.assigneeOnly'],
    ]);
    expect(problems[0]!.messageZh).toContain('未知角色');
  });
});

describe("the auditors' checklist and case library fields", () => {
  const checklist = {
    repField: 'assignee',
    items: [
      { id: 'response_in_time', labels: { en: 'Response in time', 'zh-CN': '及时响应' } },
      { id: 'records_complete', labels: { en: 'Records complete', 'zh-CN': '记录完整' } },
    ],
  };

  it('accepts a checklist with labelled items and a case library flag', () => {
    expect(
      lintMutated((d) => {
        d.auditChecklist = checklist;
        d.caseLibrary = true;
      }),
    ).toEqual([]);
  });

  it('reports an item listed twice, an item without its Chinese label and an empty checklist', () => {
    expectOnly(
      lintMutated((d) => {
        d.auditChecklist = { items: [checklist.items[0], { ...checklist.items[1], id: 'response_in_time' }] };
      }),
      'duplicate-checklist-item',
      'auditChecklist.items[1].id',
      'listed twice',
    );
    expectOnly(
      lintMutated((d) => {
        d.auditChecklist = { items: [{ id: 'x', labels: { en: 'X' } }] };
      }),
      'schema',
      'auditChecklist.items[0].labels.zh-CN',
    );
    expectOnly(
      lintMutated((d) => {
        d.auditChecklist = { items: [] };
      }),
      'schema',
      'auditChecklist.items',
      'at least one item',
    );
  });

  it('reports a library field that is not a list of strings', () => {
    expectOnly(
      lintMutated((d) => {
        d.events.CUSTOMER_SATISFIED.payload.properties.cases = {
          type: 'string',
          'x-case-library': true,
          'x-labels': { en: 'Cases', 'zh-CN': '案例' },
        };
      }),
      'invalid-payload-schema',
      'events.CUSTOMER_SATISFIED.payload.properties.cases',
      'x-case-library',
    );
  });
});

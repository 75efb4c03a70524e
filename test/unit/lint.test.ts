import complaintJson from '../../definitions/complaint.json';
import { assertValidDefinition, formatProblems, lintDefinition, type LintCode, type LintProblem } from '../../engine/lint';

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
      { code: 'schema', path: '(file)', message: expect.stringContaining('change it to an object') },
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

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { diffDefinitions, formatDiff } from '../../engine/definition-diff';
import { definitionSchema, type Definition } from '../../engine/definition-schema';
import { lintDefinition } from '../../engine/lint';
import { PROJECT_ROOT } from '../../config';
import { complaintV1, complaintV2 } from '../helpers/definition-fixtures';

const DIR = path.join(PROJECT_ROOT, 'definitions');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
const load = (file: string) => JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Record<string, any>;
const parse = (raw: unknown): Definition => definitionSchema.parse(raw);

test.each(files)('%s: a version compared with itself has no changes', (file) => {
  const d = parse(load(file));
  expect(diffDefinitions(d, d).changes).toEqual([]);
  expect(formatDiff(diffDefinitions(d, d))).toMatch(/no changes/);
});

test('complaint: a raised approvalLimit and an added state, in plain words', () => {
  const v2 = complaintV2();
  expect(lintDefinition(v2).problems).toEqual([]);
  const diff = diffDefinitions(parse(complaintV1()), parse(v2));
  expect(diff).toMatchObject({ process: 'complaint', from: 1, to: 2 });
  const texts = diff.changes.map((c) => c.text);
  expect(diff.changes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ area: 'parameter', change: 'changed', name: 'approvalLimit', before: 5000, after: 8000 }),
      expect.objectContaining({ area: 'state', change: 'added', name: 'reviewingFindings' }),
      expect.objectContaining({ area: 'event', change: 'added', name: 'FINDINGS_REVIEWED' }),
      expect.objectContaining({ area: 'deadline', change: 'added', name: 'reviewDue' }),
      expect.objectContaining({ area: 'transition', change: 'changed', name: 'investigating:SUBMIT_FINDINGS' }),
    ]),
  );
  expect(texts).toContain(
    'Parameter "Compensation above which a service manager approves" (approvalLimit) changes from 5000 CNY to 8000 CNY.',
  );
  expect(texts).toContain('New state "Reviewing findings" (reviewingFindings).');
  expect(texts.join('\n')).toMatch(/Submit findings.*in "Investigating" \(investigating\) now leads to "Reviewing findings"/);
  expect(texts.join('\n')).toMatch(/New event "Findings reviewed" \(FINDINGS_REVIEWED\), sent by Service manager \(service_manager\)/);
  expect(texts.join('\n')).toMatch(
    /New deadline "Review due" \(reviewDue\): 1 business days after the state is entered, in "Reviewing findings"/,
  );
});

test('complaint: removed states, changed roles and deadlines, in both directions', () => {
  const v1 = complaintV1();
  const v3 = complaintV1();
  v3.version = 3;
  delete v3.machine.states.awaitingApproval;
  delete v3.stateLabels.awaitingApproval;
  v3.machine.states.planning.on.PROPOSE_RESOLUTION = { target: 'communicating', actions: ['recordProposal', 'countProposal'] };
  v3.events.WITHDRAW.roles = ['cs_agent', 'service_manager'];
  v3.delays.acceptDue.businessDays = 2;
  const diff = diffDefinitions(parse(v1), parse(v3));
  const byKey = (area: string, change: string, name: string) =>
    diff.changes.find((c) => c.area === area && c.change === change && c.name === name);
  expect(byKey('state', 'removed', 'awaitingApproval')?.text).toMatch(/State "Awaiting approval" \(awaitingApproval\) is removed/);
  expect(byKey('role', 'changed', 'WITHDRAW')?.text).toBe(
    '"Withdraw" (WITHDRAW) may now also be sent by Service manager (service_manager).',
  );
  expect(byKey('deadline', 'changed', 'acceptDue')?.text).toBe(
    'Deadline "Acceptance due" (acceptDue) now falls 2 business days after the state is entered (was acceptDays (1) business days after the state is entered).',
  );
  expect(byKey('transition', 'changed', 'planning:PROPOSE_RESOLUTION')).toBeDefined();

  const back = diffDefinitions(parse(v3), parse(v1));
  expect(back.changes.find((c) => c.area === 'state' && c.change === 'added' && c.name === 'awaitingApproval')).toBeDefined();
  expect(back.changes.find((c) => c.area === 'role' && c.name === 'WITHDRAW')?.text).toMatch(/may no longer be sent by Service manager/);
});

describe('every kind of change is told in Chinese too', () => {
  /** A version of the complaint that changes something of every area, in every way the diff tells apart. */
  function everything(): Record<string, any> {
    const v = complaintV1();
    v.version = 2;
    v.labels.en = 'Complaints';
    v.startedBy = ['cs_agent', 'sales_rep'];
    v.input.properties.region = { type: 'string', 'x-labels': { en: 'Region', 'zh-CN': '区域' } };
    v.machine.states.onHold = { on: { ACCEPT: 'investigating' } };
    v.stateLabels.onHold = { en: 'On hold', 'zh-CN': '暂停' };
    v.stateLabels.investigating = { en: 'Looking into it', 'zh-CN': '调查中' };
    v.machine.states.executing.type = 'final';
    v.machine.states.received.on.WITHDRAW = 'withdrawn';
    v.machine.states.planning.on.PROPOSE_RESOLUTION = { target: 'communicating', actions: ['recordProposal'] };
    delete v.machine.states.communicating.on.LOG_CONTACT;
    v.events.FINDINGS_REVIEWED = { roles: ['service_manager'], labels: { en: 'Findings reviewed', 'zh-CN': '调查结果已审核' } };
    v.events.ACCEPT.payload.properties.team = { type: 'string', 'x-labels': { en: 'Team', 'zh-CN': '小组' } };
    v.events.REJECT.labels = { en: 'Turn down', 'zh-CN': '退回' };
    v.events.WITHDRAW.roles = ['cs_agent', 'service_manager'];
    v.delays.reviewDue = { businessDays: 1, labels: { en: 'Review due', 'zh-CN': '审核期限' } };
    v.delays.acceptDue.businessDays = 2;
    v.machine.states.planning.after = { ...v.machine.states.planning.after, followUpReminder: 'followingUp' };
    delete v.machine.states.followingUp.after;
    v.parameters.approvalLimit.default = 8000;
    v.parameters.acceptDays.description = 'Counted from the recording';
    v.parameters.reviewDays = { type: 'integer', default: 1, labels: { en: 'Review days', 'zh-CN': '审核天数' } };
    v.guards.highSeverity = { eq: ['context.severity', { value: 'high' }] };
    v.guards.promiseNotReminded = { not: { truthy: 'context.promiseRemindedAt' } };
    v.actions.markReviewed = { type: 'assign', set: { reviewed: true } };
    v.actions.countProposal = { type: 'increment', path: 'proposalCount' };
    return v;
  }

  /** A version that changes only the labels of fields and enum values: what is checked stays the same. */
  function relabelled(): Record<string, any> {
    const v = complaintV1();
    v.version = 2;
    v.input.properties.severity['x-enum-labels'].high = { en: 'Urgent', 'zh-CN': '紧急' };
    v.events.ACCEPT.payload.properties.assignee['x-labels'] = { en: 'Person in charge', 'zh-CN': '负责人' };
    return v;
  }

  const han = /[\u4e00-\u9fff]/;

  test('each area and change (added, removed, changed) has a Chinese sentence', () => {
    const a = parse(complaintV1());
    const b = parse(everything());
    const c = parse(relabelled());
    const changes = [a, b].flatMap((x) => (x === a ? diffDefinitions(a, b).changes : diffDefinitions(b, a).changes));
    const labelsOnly = diffDefinitions(a, c).changes;
    const all = [...changes, ...labelsOnly];
    expect(all.filter((ch) => !han.test(ch.textZh) || ch.textZh === ch.text)).toEqual([]);
    const kinds = new Set(all.map((ch) => `${ch.area} ${ch.change}`));
    expect([...kinds].sort()).toEqual(
      [
        'action added',
        'action changed',
        'action removed',
        'condition added',
        'condition changed',
        'condition removed',
        'deadline added',
        'deadline changed',
        'deadline removed',
        'event added',
        'event changed',
        'event removed',
        'input changed',
        'parameter added',
        'parameter changed',
        'parameter removed',
        'process changed',
        'role added',
        'role changed',
        'role removed',
        'state added',
        'state changed',
        'state removed',
        'transition added',
        'transition changed',
        'transition removed',
      ].sort(),
    );
    // Every sentence the diff has (by its English wording without names) was seen in both languages.
    const zhOf = (area: string, change: string, name: string) =>
      all.find((ch) => ch.area === area && ch.change === change && ch.name === name)?.textZh;
    expect(zhOf('parameter', 'changed', 'approvalLimit')).toBe(
      '参数 "需经理审批的补偿金额上限"（approvalLimit） 从 5000 CNY 改为 8000 CNY。',
    );
    expect(zhOf('role', 'changed', 'WITHDRAW')).toBe('"撤销"（WITHDRAW） 现在也可由 服务/门店经理（service_manager） 发送。');
    expect(zhOf('deadline', 'changed', 'acceptDue')).toContain('进入该状态之后 2 个工作日');
  });

  test('a change of labels only is told apart from a change of what is asked for', () => {
    const a = parse(complaintV1());
    const labelsOnly = diffDefinitions(a, parse(relabelled())).changes;
    expect(labelsOnly.map((ch) => [ch.area, ch.name, ch.text])).toEqual([
      ['input', 'input', 'The labels of the information asked for when a case starts have changed (what is checked stays the same).'],
      ['event', 'ACCEPT', 'The labels of the information asked for with "Accept" (ACCEPT) have changed (what is checked stays the same).'],
    ]);
    const checked = diffDefinitions(a, parse(everything())).changes;
    expect(checked.find((ch) => ch.area === 'input')?.text).toBe('The information asked for when a case starts has changed.');
  });

  test('formatDiff in Chinese', () => {
    const a = parse(complaintV1());
    const text = formatDiff(diffDefinitions(a, parse(relabelled())), 'zh-CN');
    expect(text).toBe(
      'complaint v1 → v2：2 处变化\n  ~ 发起案件时所填信息的标签已改变（检查的内容不变）。\n  ~ "受理"（ACCEPT） 所填信息的标签已改变（检查的内容不变）。\n',
    );
    expect(formatDiff(diffDefinitions(a, a), 'zh-CN')).toBe('complaint v1 → v1：没有变化。\n');
  });
});

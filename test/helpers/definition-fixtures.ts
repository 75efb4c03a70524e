import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config';

const readJson = (...parts: string[]): Record<string, any> =>
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'definitions', ...parts), 'utf8')) as Record<string, any>;

/** The complaint definition as version 1 shipped it (definitions/shipped/complaint.v1.json). */
export function complaintV1(): Record<string, any> {
  return readJson('shipped', 'complaint.v1.json');
}

/** The complaint definition shipped now (definitions/complaint.json: version 2, the handler's tasks). */
export function complaintShipped(): Record<string, any> {
  return readJson('complaint.json');
}

/** The contract definition as version 1 shipped it (definitions/shipped/contract.v1.json). */
export function contractV1(): Record<string, any> {
  return readJson('shipped', 'contract.v1.json');
}

/** The contract definition shipped now (definitions/contract.json: version 2, the approval step). */
export function contractV2(): Record<string, any> {
  return readJson('contract.json');
}

/**
 * The complaint process with approvalLimit raised to 8000 and a state added: a
 * service manager reviews the findings (`reviewingFindings`) between investigating
 * and planning. (The complaint process stands in for "add a state to the visit
 * process" until the visit definition exists.)
 */
export function complaintV2(): Record<string, any> {
  return withFindingsReview(complaintV1(), 2);
}

/** The same change made to the complaint definition shipped now: what a process owner publishes after the shipped versions. */
export function complaintShippedWithReview(): Record<string, any> {
  return withFindingsReview(complaintShipped(), 3);
}

function withFindingsReview(d: Record<string, any>, version: number): Record<string, any> {
  d.version = version;
  d.parameters.approvalLimit.default = 8000;
  d.events.FINDINGS_REVIEWED = { roles: ['service_manager'], labels: { en: 'Findings reviewed', 'zh-CN': '调查结果已复核' } };
  d.delays.reviewDue = { businessDays: 1, labels: { en: 'Review due', 'zh-CN': '复核到期' } };
  d.stateLabels.reviewingFindings = { en: 'Reviewing findings', 'zh-CN': '复核调查结果' };
  d.machine.states.investigating.on.SUBMIT_FINDINGS.target = 'reviewingFindings';
  d.machine.states.reviewingFindings = {
    after: { reviewDue: { actions: 'escalateInvestigation' } },
    on: { FINDINGS_REVIEWED: { target: 'planning' } },
  };
  return d;
}

/** Version 2 without the approval step: `awaitingApproval` is removed, every proposal goes to the customer. */
export function complaintWithoutApproval(): Record<string, any> {
  const d = complaintV2();
  delete d.machine.states.awaitingApproval;
  delete d.stateLabels.awaitingApproval;
  d.machine.states.planning.on.PROPOSE_RESOLUTION = { target: 'communicating', actions: ['recordProposal', 'countProposal'] };
  delete d.guards.aboveApprovalLimit;
  delete d.parameters.approvalLimit;
  delete d.events.APPROVE;
  delete d.events.REJECT;
  delete d.actions.recordApproval;
  delete d.actions.recordApprovalRejection;
  return d;
}

/**
 * The complaint process with a loop of eventless transitions, as a definition published before
 * the linter refused such loops could have it: a LOG_CONTACT with `loop: true` in `investigating`
 * sends the case to `rechecking` and straight back, forever (the guard reads the event's data).
 * With `unguarded`, the loop starts as soon as the case is accepted, whatever the data.
 */
export function complaintWithEventlessLoop(options: { unguarded?: boolean } = {}): Record<string, any> {
  const d = complaintV1();
  d.guards.loopRequested = { truthy: 'data.loop' };
  d.events.LOG_CONTACT.payload.properties.loop = { type: 'boolean' };
  d.stateLabels.rechecking = { en: 'Rechecking', 'zh-CN': '复查' };
  d.machine.states.investigating.always = options.unguarded ? { target: 'rechecking' } : { guard: 'loopRequested', target: 'rechecking' };
  d.machine.states.rechecking = { always: { target: 'investigating' } };
  return d;
}

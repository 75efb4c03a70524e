import cnJson from '../../calendars/cn.json';
import { validateCalendar } from '../../engine/calendar';
import { assertValidDefinition } from '../../engine/lint';
import {
  coverageTable,
  definitionProcesses,
  generatePaths,
  loadDefinition,
  loadDriver,
  ProcessModel,
  readDefinitionFile,
  writeCoverageJson,
  type Coverage,
} from '../helpers/model';

const calendar = validateCalendar(cnJson);
const processes = definitionProcesses();
const results = new Map<string, Coverage>();

afterAll(() => {
  // The table of every process that got this far; a process whose model failed is listed as such.
  const done = processes.filter((p) => results.has(p)).map((p) => results.get(p)!);
  const failed = processes.filter((p) => !results.has(p));
  console.log(`${coverageTable(done)}${failed.length ? `\n  no model: ${failed.join(', ')} (see the failures above)` : ''}`);
});

test('every definition file is modelled', () => {
  expect(processes).toEqual(expect.arrayContaining(['complaint', 'contract', 'lost_deal', 'visit']));
});

describe.each(processes)('definitions/%s.json', (process) => {
  test('generated paths take every transition (100% coverage)', () => {
    const model = new ProcessModel(loadDefinition(process), calendar, loadDriver(process));
    const coverage = generatePaths(model);
    results.set(process, coverage);
    writeCoverageJson(model, coverage);
    expect(coverage.transitions.length).toBeGreaterThan(0);
    expect(coverage.missing.map((t) => t.label)).toEqual([]);
    expect(coverage.coveredBy.size).toBe(coverage.transitions.length);
  });
});

test('a transition no sample can take is reported by name, and the others are still covered', () => {
  // The approval branch of PROPOSE_RESOLUTION now needs more compensation than any sample offers.
  const raw = readDefinitionFile('complaint') as Record<string, any>;
  raw.guards.aboveApprovalLimit = { gt: ['data.compensationAmount', { value: 1e12 }] };
  const model = new ProcessModel(assertValidDefinition(raw, 'complaint (edited)'), calendar, loadDriver('complaint'));
  const coverage = generatePaths(model);
  expect(coverage.missing.map((t) => t.label)).toEqual([
    'planning —PROPOSE_RESOLUTION [aboveApprovalLimit]→ awaitingApproval',
    'awaitingApproval —APPROVE→ communicating',
    'awaitingApproval —REJECT→ planning',
    'awaitingApproval —after promiseReminder [promiseNotReminded]→ (stays)',
    'awaitingApproval —after promiseDue [promiseNotBreached]→ (stays)',
  ]);
  expect(coverage.coveredBy.size).toBe(coverage.transitions.length - 5);
  expect(coverageTable([coverage])).toContain(
    'not covered: complaint: planning —PROPOSE_RESOLUTION [aboveApprovalLimit]→ awaitingApproval',
  );
});

test('a driver sample that breaks its event’s payload schema fails the model, naming the sample', () => {
  const driver = loadDriver('complaint');
  const broken = {
    ...driver,
    events: {
      ...driver.events,
      ACCEPT: () => [{ label: 'no assignee', actor: driver.start({} as never)[0]!.actor, data: { department: 'service' } }],
    },
  };
  const model = new ProcessModel(loadDefinition('complaint'), calendar, broken);
  expect(() => generatePaths(model)).toThrow(/complaint driver, ACCEPT "no assignee": the payload fails the event's schema/);
});

import cnJson from '../../calendars/cn.json';
import { validateCalendar } from '../../engine/calendar';
import {
  coverageTable,
  definitionProcesses,
  generatePaths,
  loadDefinition,
  loadDriver,
  ProcessModel,
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
  expect(processes).toEqual(expect.arrayContaining(['complaint']));
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

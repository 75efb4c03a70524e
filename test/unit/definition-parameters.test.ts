import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import cnJson from '../../calendars/cn.json';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition } from '../../engine/compile';
import { lintDefinition } from '../../engine/lint';
import { PROJECT_ROOT } from '../../config';

const cn = validateCalendar(cnJson);
const DIR = path.join(PROJECT_ROOT, 'definitions');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));

/** Another value of a parameter's type, within its bounds. */
function changed(spec: { type: string; default: unknown; minimum?: number; maximum?: number; enum?: string[] }): unknown {
  if (spec.type === 'boolean') return !spec.default;
  if (spec.enum) return spec.enum.find((v) => v !== spec.default);
  if (spec.type === 'string') return `${String(spec.default)}-changed`;
  const d = spec.default as number;
  const up = spec.type === 'integer' ? d + 1 : d * 1.5 + 1;
  if (spec.maximum === undefined || up <= spec.maximum) return up;
  const down = spec.type === 'integer' ? d - 1 : d / 2;
  return spec.minimum === undefined || down >= spec.minimum ? down : d;
}

test.each(files)('%s: every parameter can be changed in the definition alone, and the machine reads the new value', (file) => {
  const raw = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Record<string, any>;
  const names = Object.keys(raw.parameters ?? {});
  for (const name of names) {
    const copy = structuredClone(raw);
    const value = changed(copy.parameters[name]);
    copy.parameters[name].default = value;
    const result = lintDefinition(copy);
    expect({ name, problems: result.problems }).toEqual({ name, problems: [] });
    expect(compileDefinition(result.definition!, cn).params[name]).toBe(value);
  }
});

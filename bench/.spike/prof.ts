import { readFileSync } from 'node:fs';
import { compileDefinition } from '../../engine/compile';
import { assertValidDefinition } from '../../engine/lint';
import { startCase, step } from '../../engine/step';
import { planWalks } from '../event-walk';
const cal = JSON.parse(readFileSync('calendars/cn.json', 'utf8'));
const def = assertValidDefinition(JSON.parse(readFileSync('definitions/complaint.json', 'utf8')), 'x');
const c = compileDefinition(def, cal);
const NOW = Date.parse('2026-03-02T02:00:00Z');
const plan = planWalks(c, NOW);
let n = 0; const t0 = performance.now();
for (let r = 0; r < 200; r++) for (const w of plan.walks) { let now = NOW; let s = startCase(c, plan.input, now).snapshot; for (const e of w.events) { now += 60000; s = step(c, s, e, now).snapshot; n++; } }
console.log(n, ((performance.now() - t0) * 1000 / n).toFixed(1), 'us/event (incl start)');

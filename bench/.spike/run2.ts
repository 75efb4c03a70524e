import { readFileSync } from 'node:fs';
import { measureInterpreter } from './interp2';
const cal = JSON.parse(readFileSync('calendars/cn.json', 'utf8'));
console.log(JSON.stringify(measureInterpreter('definitions', cal, 20000)));

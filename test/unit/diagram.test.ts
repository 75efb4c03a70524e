import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mermaidDiagram, svgDiagram } from '../../diagram';
import { outlineDefinition } from '../../engine/definition-outline';
import { definitionSchema } from '../../engine/definition-schema';
import { PROJECT_ROOT } from '../../config';

const DIR = path.join(PROJECT_ROOT, 'definitions');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
const load = (file: string) => definitionSchema.parse(JSON.parse(readFileSync(path.join(DIR, file), 'utf8')));

describe.each(files)('%s', (file) => {
  const def = load(file);
  const outline = outlineDefinition(def);
  const states = [...outline.states.keys()].filter((p) => p !== '');
  const usedEvents = new Set(outline.transitions.filter((t) => t.trigger === 'on').map((t) => t.name!));
  const usedDelays = new Set(outline.transitions.filter((t) => t.trigger === 'after').map((t) => t.name!));

  test('the Mermaid diagram shows every state, event (with roles) and deadline, and marks the final states', () => {
    const text = mermaidDiagram(def);
    expect(text).toMatch(/^---\ntitle: .*\n---\nstateDiagram-v2\n/);
    for (const s of states) expect(text).toContain(`(${s})`);
    for (const e of usedEvents) {
      const line = text.split('\n').find((l) => l.includes(` : ${e} `));
      expect(line).toBeDefined();
      for (const role of def.events[e]!.roles) expect(line).toContain(role);
    }
    for (const d of usedDelays) expect(text).toContain(`(${d})`);
    // Automatic steps and case-level timers are drawn too.
    for (const t of outline.transitions.filter((x) => x.trigger === 'invoke'))
      expect(text).toMatch(new RegExp(`${t.source.replace(/\./g, '__')} --> \\S+ : ⚙ `));
    for (const t of outline.transitions.filter((x) => x.trigger === 'timer')) expect(text).toContain(`(${t.name}) —`);
    for (const s of states.filter((p) => outline.states.get(p)!.type === 'final'))
      expect(text).toContain(`${s.replace(/\./g, '__')} --> [*]`);
    expect(text).toContain(`[*] --> ${def.machine.initial.replace(/\./g, '__')}`);
  });

  test('the SVG diagram is a document showing every state, event and deadline, final states double-bordered', () => {
    const svg = svgDiagram(def);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/NaN|undefined/);
    for (const s of states) expect(svg).toContain(`data-state="${s}"`);
    for (const e of usedEvents) expect(svg).toContain(`data-event="${e}"`);
    for (const d of usedDelays) expect(svg).toContain(`data-event="${d}"`);
    const finals = states.filter((p) => outline.states.get(p)!.type === 'final');
    expect((svg.match(/class="state final"/g) ?? []).length).toBe(finals.length);
  });
});

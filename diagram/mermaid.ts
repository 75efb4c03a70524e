import type { Definition } from '../engine/definition-schema';
import { checkDiagramSize } from './limits';
import { diagramModel, type DiagramModel, type DiagramNode } from './model';

/** Mermaid text may not carry these inside a label. */
const clean = (text: string) =>
  text
    .replace(/[:;{}"#<>]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** A Mermaid `stateDiagram-v2` of a definition: states with both labels, events with their roles, deadlines, final states. */
export function mermaidDiagram(def: Definition): string {
  return renderMermaid(diagramModel(def));
}

/** Throws DiagramTooLargeError beyond DIAGRAM_LIMITS. */
export function renderMermaid(model: DiagramModel): string {
  checkDiagramSize(model);
  const lines: string[] = [`---`, `title: ${clean(model.title)}`, `---`, 'stateDiagram-v2'];
  const children = new Map<string | undefined, DiagramNode[]>();
  for (const n of model.nodes) children.set(n.parent, [...(children.get(n.parent) ?? []), n]);
  const name = (n: DiagramNode) =>
    clean([n.labels.en, n.labels['zh-CN']].filter(Boolean).join(' / ') + (n.path && n.kind !== 'any' ? ` (${n.path})` : ''));

  const declare = (parent: string | undefined, indent: string) => {
    for (const n of children.get(parent) ?? []) {
      if (n.kind === 'initial') continue;
      if (n.kind === 'cluster') {
        lines.push(`${indent}state "${name(n)}" as ${n.id} {`);
        declare(n.id, `${indent}  `);
        lines.push(`${indent}}`);
      } else lines.push(`${indent}state "${name(n)}" as ${n.id}`);
    }
  };
  declare(undefined, '  ');

  for (const e of model.edges) {
    const from = e.kind === 'start' ? '[*]' : e.from;
    const label =
      e.kind === 'start' ? '' : ` : ${clean(`${e.title}${e.detail ? ` — ${e.detail}` : ''}${e.guard ? ` [if ${e.guard}]` : ''}`)}`;
    lines.push(`  ${from} --> ${e.to}${label}`);
  }
  for (const n of model.nodes) if (n.kind === 'final') lines.push(`  ${n.id} --> [*]`);

  lines.push('  classDef final stroke-width:3px,font-weight:bold');
  lines.push('  classDef anyState stroke-dasharray:5 5');
  const finals = model.nodes.filter((n) => n.kind === 'final').map((n) => n.id);
  const anys = model.nodes.filter((n) => n.kind === 'any').map((n) => n.id);
  if (finals.length) lines.push(`  class ${finals.join(',')} final`);
  if (anys.length) lines.push(`  class ${anys.join(',')} anyState`);
  return `${lines.join('\n')}\n`;
}

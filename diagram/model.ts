import type { Definition } from '../engine/definition-schema';
import { defaultLeaf, describeDelay, outlineDefinition, type OutlineState } from '../engine/definition-outline';

/** A state box (or a cluster for a compound or parallel state). */
export interface DiagramNode {
  id: string;
  path: string;
  labels: { en: string; 'zh-CN': string };
  kind: 'state' | 'final' | 'cluster' | 'initial' | 'any';
  parent?: string;
}

/** An arrow: an event with the roles that may send it, or a deadline. */
export interface DiagramEdge {
  from: string;
  to: string;
  kind: 'event' | 'deadline' | 'automatic' | 'start';
  /** The event or delay name. */
  name: string;
  /** The first line: the event's or deadline's label. */
  title: string;
  /** The second line: the roles, or when the deadline falls. */
  detail: string;
  guard?: string;
}

export interface DiagramModel {
  process: string;
  version: number;
  title: string;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

export const ANY_STATE = 'any__open';
const INITIAL = '__start';

/** A safe node id for a state path (`analysis.reporting` → `analysis__reporting`). */
export const nodeId = (path: string) => path.replace(/[^A-Za-z0-9_]/g, '__');

/** What a diagram shows of a definition: states, events with their roles, deadlines, the start and the final states. */
export function diagramModel(def: Definition): DiagramModel {
  const outline = outlineDefinition(def);
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const parentOf = (p: string) => (p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '');
  const endpoint = (p: string) => nodeId(defaultLeaf(outline, p));

  const add = (s: OutlineState) => {
    if (s.path === '') return;
    const kind = s.type === 'final' ? 'final' : s.type === 'compound' || s.type === 'parallel' ? 'cluster' : 'state';
    const parent = parentOf(s.path);
    nodes.push({
      id: nodeId(s.path),
      path: s.path,
      labels: { en: s.labels?.en ?? s.path, 'zh-CN': s.labels?.['zh-CN'] ?? '' },
      kind,
      ...(parent && { parent: nodeId(parent) }),
    });
  };
  outline.states.forEach(add);

  nodes.unshift({ id: INITIAL, path: '', labels: { en: 'start', 'zh-CN': '' }, kind: 'initial' });
  edges.push({
    from: INITIAL,
    to: endpoint(def.machine.initial),
    kind: 'start',
    name: 'start',
    title: 'start',
    detail: def.startedBy.join(', '),
  });

  for (const t of outline.transitions) {
    // Transitions of a cluster leave from its "any state in …" node, those of the machine from "any open state".
    let from: string;
    if (t.source === '') from = ANY_STATE;
    else if (outline.states.get(t.source)?.type === 'compound' || outline.states.get(t.source)?.type === 'parallel')
      from = `${nodeId(t.source)}${ANY_STATE}`;
    else from = nodeId(t.source);
    const targets = t.targets.length ? t.targets.map(endpoint) : [from];
    for (const to of targets) {
      if (t.trigger === 'on' && t.name) {
        const spec = def.events[t.name];
        edges.push({
          from,
          to,
          kind: 'event',
          name: t.name,
          title: `${t.name}${spec ? ` · ${spec.labels.en}` : ''}`,
          detail: spec ? spec.roles.join(', ') : '',
          ...(t.guard && { guard: t.guard }),
        });
      } else if (t.trigger === 'invoke' && t.name) {
        const task = def.tasks?.[t.name];
        const sub = def.subprocesses?.[t.name];
        const words = task?.labels?.en ?? sub?.labels?.en ?? t.name;
        edges.push({
          from,
          to,
          kind: 'automatic',
          name: t.name,
          title: `⚙ ${words} done`,
          detail: task ? `automatic check (${task.rules.length} rules)` : sub ? `one ${sub.process} case per item, all finished` : '',
          ...(t.guard && { guard: t.guard }),
        });
      } else if ((t.trigger === 'after' || t.trigger === 'timer') && t.name) {
        const spec = def.delays[t.name];
        edges.push({
          from,
          to,
          kind: 'deadline',
          name: t.name,
          title: `⏱ ${spec?.labels?.en ?? t.name} (${t.name})`,
          detail: spec ? `${describeDelay(spec, def)}${t.trigger === 'timer' ? ' (case timer)' : ''}` : '',
          ...(t.guard && { guard: t.guard }),
        });
      } else {
        edges.push({
          from,
          to,
          kind: 'automatic',
          name: t.trigger,
          title: t.trigger === 'done' ? 'when done' : 'automatically',
          detail: '',
          ...(t.guard && { guard: t.guard }),
        });
      }
    }
  }
  const used = new Set(edges.map((e) => e.from));
  if (used.has(ANY_STATE)) nodes.push({ id: ANY_STATE, path: '', labels: { en: 'Any open state', 'zh-CN': '任一未结状态' }, kind: 'any' });
  for (const s of outline.states.values()) {
    const id = `${nodeId(s.path)}${ANY_STATE}`;
    if (s.path && used.has(id))
      nodes.push({
        id,
        path: s.path,
        labels: { en: `Any state in ${s.labels?.en ?? s.path}`, 'zh-CN': '' },
        kind: 'any',
        parent: nodeId(s.path),
      });
  }
  return { process: def.process, version: def.version, title: `${def.labels.en} / ${def.labels['zh-CN']} — v${def.version}`, nodes, edges };
}

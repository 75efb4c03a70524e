import type * as Dagre from '@dagrejs/dagre' with { 'resolution-mode': 'import' };
import type { Definition } from '../engine/definition-schema';
import { checkDiagramSize } from './limits';
import { diagramModel, type DiagramEdge, type DiagramModel, type DiagramNode } from './model';

// dagre publishes CommonJS beside its ES module, but its types are declared as ES module only.
const dagre = require('@dagrejs/dagre') as typeof Dagre;

const FONT = 12;
const LINE = 16;
const PAD = 10;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An estimate of a text's width in pixels (CJK characters take about twice the room). */
function textWidth(text: string, size = FONT): number {
  let w = 0;
  for (const ch of text) w += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? size : size * 0.6;
  return w;
}

function nodeLines(n: DiagramNode): string[] {
  if (n.kind === 'initial') return [];
  const lines = [n.labels.en];
  if (n.labels['zh-CN']) lines.push(n.labels['zh-CN']);
  if (n.kind !== 'any') lines.push(n.path);
  return lines;
}

function edgeLines(e: DiagramEdge): string[] {
  if (e.kind === 'start') return [];
  const lines = [e.title];
  if (e.detail) lines.push(e.kind === 'event' ? `by ${e.detail}` : e.detail);
  if (e.guard) lines.push(`if ${e.guard}`);
  return lines;
}

/** An SVG picture of a definition, laid out with dagre: states, events with their roles, deadlines, final states (double border). */
export function svgDiagram(def: Definition): string {
  return renderSvg(diagramModel(def));
}

/** Throws DiagramTooLargeError beyond DIAGRAM_LIMITS. */
export function renderSvg(model: DiagramModel): string {
  checkDiagramSize(model);
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 50, edgesep: 20, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));

  for (const n of model.nodes) {
    if (n.kind === 'cluster') {
      g.setNode(n.id, { label: n.labels.en, clusterLabelPos: 'top', paddingTop: 30 });
    } else if (n.kind === 'initial') {
      g.setNode(n.id, { width: 16, height: 16 });
    } else {
      const lines = nodeLines(n);
      g.setNode(n.id, { width: Math.max(90, ...lines.map((l) => textWidth(l))) + 2 * PAD, height: lines.length * LINE + 2 * PAD });
    }
  }
  for (const n of model.nodes) if (n.parent) g.setParent(n.id, n.parent);
  model.edges.forEach((e, i) => {
    const lines = edgeLines(e);
    g.setEdge(
      e.from,
      e.to,
      {
        width: lines.length ? Math.max(...lines.map((l) => textWidth(l, FONT - 1))) + 8 : 0,
        height: lines.length * (LINE - 2),
        labelpos: 'c',
      },
      `e${i}`,
    );
  });
  dagre.layout(g);

  const graph = g.graph();
  const width = Math.ceil((graph.width ?? 0) + 40);
  const height = Math.ceil((graph.height ?? 0) + 40 + 30);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 -30 ${width} ${height}" font-family="Helvetica, Arial, 'PingFang SC', 'Microsoft YaHei', sans-serif" font-size="${FONT}">`,
  );
  out.push(`<title>${escape(model.title)}</title>`);
  out.push(
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>',
  );
  out.push(`<text x="20" y="-10" font-size="16" font-weight="bold">${escape(model.title)}</text>`);

  const text = (x: number, y: number, lines: string[], attrs = '') =>
    lines
      .map(
        (l, i) =>
          `<text x="${x.toFixed(1)}" y="${(y + i * LINE).toFixed(1)}" text-anchor="middle" dominant-baseline="middle"${i === 0 ? attrs : ' fill="#555"'}>${escape(l)}</text>`,
      )
      .join('');

  // Clusters first (behind), then states.
  for (const n of model.nodes.filter((x) => x.kind === 'cluster')) {
    const b = g.node(n.id);
    out.push(
      `<g class="cluster" data-state="${escape(n.path)}"><rect x="${(b.x - b.width / 2).toFixed(1)}" y="${(b.y - b.height / 2).toFixed(1)}" width="${b.width.toFixed(1)}" height="${b.height.toFixed(1)}" rx="12" fill="#f6f8fa" stroke="#8c959f"/>` +
        text(
          b.x,
          b.y - b.height / 2 + 14,
          [[n.labels.en, n.labels['zh-CN']].filter(Boolean).join(' / ') + ` (${n.path})`],
          ' font-weight="bold"',
        ) +
        '</g>',
    );
  }
  for (const n of model.nodes.filter((x) => x.kind !== 'cluster')) {
    const b = g.node(n.id);
    if (n.kind === 'initial') {
      out.push(`<circle class="initial" cx="${b.x.toFixed(1)}" cy="${b.y.toFixed(1)}" r="8" fill="#222"/>`);
      continue;
    }
    const x = b.x - b.width / 2;
    const y = b.y - b.height / 2;
    const lines = nodeLines(n);
    const fill = n.kind === 'final' ? '#eef6ee' : n.kind === 'any' ? '#fffbe6' : '#ffffff';
    let shape = `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${b.width.toFixed(1)}" height="${b.height.toFixed(1)}" rx="8" fill="${fill}" stroke="#24292f"${n.kind === 'any' ? ' stroke-dasharray="5 4"' : ''}/>`;
    if (n.kind === 'final') {
      shape += `<rect x="${(x + 4).toFixed(1)}" y="${(y + 4).toFixed(1)}" width="${(b.width - 8).toFixed(1)}" height="${(b.height - 8).toFixed(1)}" rx="6" fill="none" stroke="#24292f"/>`;
    }
    out.push(
      `<g class="state${n.kind === 'final' ? ' final' : ''}" data-state="${escape(n.path)}">${shape}${text(b.x, y + PAD + LINE / 2, lines, ' font-weight="bold"')}${n.kind === 'final' ? `<title>final state</title>` : ''}</g>`,
    );
  }
  const pathOf = new Map(model.nodes.map((n) => [n.id, n.kind === 'initial' ? '' : n.path]));
  model.edges.forEach((e, i) => {
    const edge = g.edge({ v: e.from, w: e.to, name: `e${i}` });
    const points: Array<{ x: number; y: number }> = edge.points ?? [];
    const d = points.map((p, j) => `${j === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
    const color = e.kind === 'deadline' ? '#9a6700' : '#444';
    const lines = edgeLines(e);
    let label = '';
    if (lines.length && edge.x !== undefined && edge.y !== undefined) {
      const top = edge.y - ((lines.length - 1) * (LINE - 2)) / 2;
      label = lines
        .map(
          (l, j) =>
            `<text x="${edge.x!.toFixed(1)}" y="${(top + j * (LINE - 2)).toFixed(1)}" text-anchor="middle" dominant-baseline="middle" font-size="${FONT - 1}" fill="${j === 0 ? color : '#57606a'}" paint-order="stroke" stroke="#fff" stroke-width="3">${escape(l)}</text>`,
        )
        .join('');
    }
    out.push(
      `<g class="transition ${e.kind}" data-event="${escape(e.name)}" data-from="${escape(pathOf.get(e.from) ?? '')}" data-to="${escape(pathOf.get(e.to) ?? '')}"><path d="${d}" fill="none" stroke="${color}"${e.kind === 'deadline' ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#arrow)"/>${label}</g>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

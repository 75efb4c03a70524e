import { enteredStates, resolvedTargets, type MachineWalk } from './machine-walker';

/**
 * An eventless step: while `from` is active, the machine may move on by itself (an `always`
 * transition, or the `onDone` of a parent once its final child is entered), after which every
 * state of `to` is active.
 */
export interface EventlessEdge {
  from: string;
  to: readonly string[];
  /** Where the transition is written, e.g. `machine.states.received.always`. */
  at: string;
}

/**
 * The eventless steps of a machine: each `always` transition (one without a target stays, and is
 * checked again at once), and each `onDone` with a target, from every final child that completes
 * its state (of a parallel state: a final child of each region).
 */
export function eventlessEdges(walk: MachineWalk): EventlessEdge[] {
  const edges: EventlessEdge[] = [];
  const finalChildren = (p: string) => (walk.states.get(p)?.children ?? []).filter((c) => walk.states.get(c)?.kind === 'final');
  const entering = (targets: string[]) => targets.flatMap((x) => enteredStates(walk, x));
  for (const t of walk.transitions) {
    if (t.trigger === 'always') {
      const targets = resolvedTargets(walk, t);
      edges.push({ from: t.source, to: targets.length ? entering(targets) : [t.source], at: t.configPath });
    } else if (t.trigger === 'done' && t.targets.length > 0) {
      const node = walk.states.get(t.source);
      const finals = node?.kind === 'parallel' ? node.children.flatMap(finalChildren) : finalChildren(t.source);
      const to = entering(resolvedTargets(walk, t));
      for (const from of finals) edges.push({ from, to, at: t.configPath });
    }
  }
  return edges;
}

/** A loop of eventless steps: the states in order (the first repeated at the end) and the transitions taken. */
export interface EventlessCycle {
  states: string[];
  edges: EventlessEdge[];
}

/**
 * The loops of eventless steps, one per set of states that can reach each other (strongly
 * connected), in the order their first state is listed in `nodes`. A case that enters such a
 * loop may never come to rest: nothing but a guard stops it, and a guard that keeps holding
 * (or none) makes the machine step forever.
 */
export function eventlessCycles(nodes: readonly string[], edges: readonly EventlessEdge[]): EventlessCycle[] {
  const out = new Map<string, EventlessEdge[]>();
  for (const e of edges) {
    const list = out.get(e.from);
    if (list) list.push(e);
    else out.set(e.from, [e]);
  }
  const successors = (n: string) => (out.get(n) ?? []).flatMap((e) => e.to.map((to) => ({ to, edge: e })));

  // Tarjan's strongly connected components, iteratively (a definition has at most a few hundred states).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number; succ: string[] }> = [];
    const open = (node: string) => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: 0, succ: successors(node).map((s) => s.to) });
    };
    open(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.next < frame.succ.length) {
        const s = frame.succ[frame.next++]!;
        if (!index.has(s)) open(s);
        else if (onStack.has(s)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(s)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== frame.node);
        components.push(component);
      }
    }
  }

  const order = new Map(nodes.map((n, i) => [n, i]));
  const cycles: EventlessCycle[] = [];
  for (const component of components) {
    const members = new Set(component);
    const first = [...component].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity))[0]!;
    const loop = successors(first).find((s) => s.to === first);
    if (component.length === 1 && !loop) continue;
    cycles.push(shortestLoop(first, members, successors));
  }
  return cycles.sort((a, b) => (order.get(a.states[0]!) ?? Infinity) - (order.get(b.states[0]!) ?? Infinity));
}

/** The shortest way from `start` back to itself inside one strongly connected set of states. */
function shortestLoop(
  start: string,
  members: Set<string>,
  successors: (n: string) => Array<{ to: string; edge: EventlessEdge }>,
): EventlessCycle {
  const cameFrom = new Map<string, { from: string; edge: EventlessEdge }>();
  const queue = [start];
  let end: { from: string; edge: EventlessEdge } | undefined;
  while (queue.length > 0 && end === undefined) {
    const n = queue.shift()!;
    for (const { to, edge } of successors(n)) {
      if (!members.has(to)) continue;
      if (to === start) {
        end = { from: n, edge };
        break;
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, { from: n, edge });
        queue.push(to);
      }
    }
  }
  const states = [start];
  const edges: EventlessEdge[] = [];
  // `end` exists: every member of a strongly connected set reaches every other one.
  for (let step = end; step !== undefined; step = step.from === start ? undefined : cameFrom.get(step.from)) {
    states.unshift(step.from);
    edges.unshift(step.edge);
  }
  if (states[0] !== start) states.unshift(start);
  return { states, edges };
}

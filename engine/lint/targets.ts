import { enteredStates, resolvedTargets, resolveTarget, type MachineTransition } from '../machine-walker';
import { didYouMean } from '../suggest';
import type { LintContext } from './types';
import { didYouMeanZh } from './zh';

/** The check of a transition's targets: each names a state the way XState resolves it. */
export function transitionTargets({ walk, report }: LintContext): (t: MachineTransition) => void {
  return (t) => {
    for (const target of t.targets) {
      if (resolveTarget(walk, target, t.source) !== undefined) continue;
      if (t.source === '' && !/^[.#]/.test(target) && resolveTarget(walk, `.${target}`, '') !== undefined) {
        report(
          'unknown-target',
          t.configPath,
          `target "${target}" of a transition on the machine itself must name a child — write ".${target}"`,
          `状态机自身转换的目标 "${target}" 必须指向子状态——请写 ".${target}"`,
        );
        continue;
      }
      const siblings = [...walk.states.keys()].filter((p) => p !== '').map((p) => p.slice(p.lastIndexOf('.') + 1));
      const last = target.replace(/^[.#]/, '').split('.').pop() ?? target;
      report(
        'unknown-target',
        t.configPath,
        `unknown target "${target}"${didYouMean(last, siblings)}`,
        `未知目标 "${target}"${didYouMeanZh(last, siblings)}`,
      );
    }
  };
}

/** Whether every target and initial state resolves: the graph checks need it (an unresolved one would only add follow-on reports). */
export const graphComplete = ({ problems }: LintContext): boolean =>
  !problems.some((p) => p.code === 'unknown-target' || p.code === 'unknown-initial');

/** Reachability and ways out: every state can be reached from the initial state, and every reached leaf can reach a final state. */
export function lintReachability({ def, walk, report }: LintContext): void {
  // What people's work adds: a withdrawal from its states, a return from a task to its earlier steps.
  const workTargets = new Map<string, string[]>();
  const addWorkTarget = (from: string, to: string) => workTargets.set(from, [...(workTargets.get(from) ?? []), to]);
  for (const from of def.withdrawal?.from ?? []) addWorkTarget(from, def.withdrawal!.target);
  for (const [state, spec] of Object.entries(def.humanTasks ?? {})) spec.returnTo.forEach((to) => addWorkTarget(state, to));
  const states = walk.states;
  const entered = (path: string) => enteredStates(walk, path);
  const reached = new Set<string>(entered(''));
  const queue = [...reached];
  // Remembered per state: the walks below ask for the same states again and again.
  const targetsOf = new Map<string, string[]>();
  const targetsFrom = (path: string): string[] => {
    let targets = targetsOf.get(path);
    if (targets === undefined) {
      targets = [
        ...walk.transitions.filter((t) => t.source === path).flatMap((t) => resolvedTargets(walk, t)),
        ...(workTargets.get(path) ?? []).filter((to) => walk.states.has(to)),
      ];
      targetsOf.set(path, targets);
    }
    return targets;
  };
  while (queue.length) {
    const p = queue.shift()!;
    for (const target of targetsFrom(p)) {
      for (const e of entered(target)) {
        if (!reached.has(e)) {
          reached.add(e);
          queue.push(e);
        }
      }
    }
  }
  for (const node of states.values()) {
    if (node.path === '' || reached.has(node.path)) continue;
    report(
      'unreachable-state',
      node.configPath,
      `state "${node.path}" cannot be reached from the initial state — add a transition to it or remove it`,
      `从初始状态无法到达状态 "${node.path}"——请添加到它的转换或删除它`,
    );
  }
  const ancestorsOf = (p: string) => {
    const parts = p.split('.');
    return parts
      .map((_, i) => parts.slice(0, parts.length - 1 - i).join('.'))
      .concat(p)
      .filter((x, i, a) => a.indexOf(x) === i);
  };
  const isDone = (p: string) => {
    const node = states.get(p);
    return node?.kind === 'final' && !p.includes('.');
  };
  const leavesEntered = (target: string) => entered(target).filter((e) => states.get(e)?.children.length === 0);
  const successorsOf = new Map<string, string[]>();
  const leafSuccessors = (leaf: string): string[] => {
    const known = successorsOf.get(leaf);
    if (known) return known;
    const out: string[] = [];
    successorsOf.set(leaf, out);
    for (const a of [leaf, ...ancestorsOf(leaf)]) {
      for (const target of targetsFrom(a)) out.push(...leavesEntered(target));
    }
    const node = states.get(leaf);
    if (node?.kind === 'final' && leaf.includes('.')) {
      const parent = leaf.slice(0, leaf.lastIndexOf('.'));
      for (const t of walk.transitions.filter((x) => x.source === parent && x.trigger === 'done')) {
        for (const target of t.targets) {
          const r = resolveTarget(walk, target, parent);
          if (r !== undefined) out.push(...leavesEntered(r));
        }
      }
    }
    return out;
  };
  // The leaves from which a final state can be reached: walked back from the final states once.
  const isExit = (s: string) =>
    isDone(s) || (states.get(s)?.kind === 'final' && s.includes('.') && states.get(s.slice(0, s.lastIndexOf('.')))?.kind === 'parallel');
  const escaping = new Set<string>();
  const comesFrom = new Map<string, string[]>();
  const back: string[] = [];
  for (const node of states.values()) {
    if (node.children.length > 0) continue;
    for (const s of leafSuccessors(node.path)) {
      if (isExit(s)) {
        if (!escaping.has(node.path)) back.push(node.path);
        escaping.add(node.path);
      } else if (comesFrom.has(s)) comesFrom.get(s)!.push(node.path);
      else comesFrom.set(s, [node.path]);
    }
  }
  for (let p = back.pop(); p !== undefined; p = back.pop())
    for (const from of comesFrom.get(p) ?? [])
      if (!escaping.has(from)) {
        escaping.add(from);
        back.push(from);
      }
  for (const node of states.values()) {
    if (node.children.length > 0 || node.kind === 'final' || !reached.has(node.path)) continue;
    if (!escaping.has(node.path))
      report(
        'no-way-out',
        node.configPath,
        `state "${node.path}" is not final but no path leads from it to a final state — add a transition out of it or mark it "type": "final"`,
        `状态 "${node.path}" 不是终态，但没有路径从它通往终态——请添加离开它的转换，或标记为 "type": "final"`,
      );
  }
}

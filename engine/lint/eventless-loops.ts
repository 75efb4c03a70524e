import { eventlessCycles, eventlessEdges } from '../eventless-cycles';
import { MICROSTEP_LIMIT } from '../microstep-limit';
import type { LintContext } from './types';

/** Eventless loops: `always` and `onDone` transitions that can follow each other forever without an event. */
export function lintEventlessLoops({ walk, report }: LintContext): void {
  for (const cycle of eventlessCycles([...walk.states.keys()], eventlessEdges(walk))) {
    const loop = cycle.states.map((p) => (p === '' ? '(the machine)' : p)).join(' → ');
    report(
      'eventless-cycle',
      cycle.edges[0]!.at,
      `eventless transitions can loop without an event: ${loop} (through ${cycle.edges.map((e) => e.at).join(', ')}); a case there would never come to rest (the engine stops an event after ${MICROSTEP_LIMIT} steps) — make one of them wait for an event ("on") or a delay ("after"), or lead out of the loop. A guard does not make such a loop safe: every loop made only of "always" and "onDone" transitions is refused`,
      `无事件转换可能无限循环：${loop}（经由 ${cycle.edges.map((e) => e.at).join('、')}）；处于其中的案件永远不会停下（引擎在 ${MICROSTEP_LIMIT} 步后停止一个事件）——请让其中一个转换等待事件（"on"）或期限（"after"），或引出循环。条件不能让这样的循环变安全：只由 "always" 和 "onDone" 组成的循环一律拒绝`,
    );
  }
}

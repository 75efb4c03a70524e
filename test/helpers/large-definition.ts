import { complaintV1 } from './definition-fixtures';

/**
 * The complaint process with `states` extra states `step1` … `stepN` in a chain
 * (NEXT_STEP), every `jumpEvery`th also jumping across the chain (SKIP_STEP): about
 * 45 KB for 300 states, valid for the linter, and a layout that takes dagre seconds
 * (about 2 s with the default, 10 s with a jump from every state).
 */
export function largeDefinition(states = 300, jumpEvery = 5): Record<string, any> {
  const d = complaintV1();
  d.events.NEXT_STEP = { roles: ['handler'], labels: { en: 'Next step', 'zh-CN': '下一步' } };
  d.events.SKIP_STEP = { roles: ['handler'], labels: { en: 'Skip a step', 'zh-CN': '跳过一步' } };
  const machine = d.machine.states;
  machine.received.on.ACCEPT.target = 'step1';
  for (let i = 1; i <= states; i++) {
    d.stateLabels[`step${i}`] = { en: `Step ${i}`, 'zh-CN': `第${i}步` };
    machine[`step${i}`] = {
      on: {
        NEXT_STEP: { target: i < states ? `step${i + 1}` : 'investigating' },
        ...(i % jumpEvery === 0 && { SKIP_STEP: { target: `step${((i * 37) % states) + 1}` } }),
      },
    };
  }
  return d;
}

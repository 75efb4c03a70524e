import type { MachineTransition } from '../machine-walker';
import { namedUserFields } from '../named-users';
import { ROLE_NAMES, SENDER_ROLES } from '../roles';
import { didYouMean } from '../suggest';
import { payloadChecks } from './payloads-and-patterns';
import type { LintContext } from './types';
import { didYouMeanZh } from './zh';

/** Events (who may send them, what they carry), who may start a case, and the case input (which must name the customer). */
export function lintEventsAndRoles(ctx: LintContext): void {
  const { def, report } = ctx;
  const checkPayload = payloadChecks(ctx);
  const unknownRole = (at: string, role: string, known = ROLE_NAMES) =>
    report('unknown-role', at, `unknown role "${role}"${didYouMean(role, known)}`, `未知角色 "${role}"${didYouMeanZh(role, known)}`);
  for (const [name, event] of Object.entries(def.events)) {
    if (event.roles.length === 0)
      report(
        'no-role',
        `events.${name}.roles`,
        `no role may send ${name} — list the roles allowed to send it`,
        `没有角色可以发送 ${name}——请列出允许发送它的角色`,
      );
    event.roles.forEach((role, i) => {
      if (!SENDER_ROLES.includes(role)) unknownRole(`events.${name}.roles[${i}]`, role, SENDER_ROLES);
    });
    if (event.payload !== undefined) {
      if (event.payload.type !== undefined && event.payload.type !== 'object') {
        report(
          'invalid-payload-schema',
          `events.${name}.payload.type`,
          `an event's payload is an object — set "type": "object" and list its fields under "properties"`,
          `事件的数据是一个对象——请设置 "type": "object"，并在 "properties" 下列出字段`,
        );
      } else checkPayload(event.payload, `events.${name}.payload`, true);
      for (const f of namedUserFields(event.payload))
        f.roles.forEach((role, i) => {
          if (!ROLE_NAMES.includes(role))
            unknownRole(`events.${name}.payload.properties.${f.field}${f.list ? '.items' : ''}.x-user.roles[${i}]`, role);
        });
    }
  }
  def.startedBy.forEach((role, i) => {
    if (!SENDER_ROLES.includes(role)) unknownRole(`startedBy[${i}]`, role, SENDER_ROLES);
  });
  checkPayload(def.input, 'input', false);
  const inputRequired = Array.isArray(def.input.required) ? (def.input.required as unknown[]) : [];
  if (!inputRequired.includes(def.customerField)) {
    report(
      'customer-field',
      'customerField',
      `the input must require "${def.customerField}" (every case names its customer) — add it to input.required and input.properties`,
      `输入必须要求 "${def.customerField}"（每个案件都要指明客户）——请把它加到 input.required 和 input.properties`,
    );
  }
}

/** The check of the event a transition waits for (declared), and at the end, the declared events no state accepts. */
export function transitionEvents({ def, report }: LintContext): { check(t: MachineTransition): void; reportUnused(): void } {
  const eventNames = Object.keys(def.events);
  const usedEvents = new Set<string>();
  return {
    check(t) {
      if (t.trigger !== 'on' || t.name === null) return;
      usedEvents.add(t.name);
      if (!eventNames.includes(t.name)) {
        report(
          'undeclared-event',
          t.configPath,
          `event "${t.name}" is not declared${didYouMean(t.name, eventNames)} — declare it under "events" with its roles and payload`,
          `事件 "${t.name}" 未声明${didYouMeanZh(t.name, eventNames)}——请在 "events" 下声明它的角色和数据`,
        );
      }
    },
    reportUnused() {
      for (const name of eventNames) {
        if (!usedEvents.has(name))
          report(
            'unused-event',
            `events.${name}`,
            `event ${name} is declared but no state accepts it — add a transition for it or remove it`,
            `事件 ${name} 已声明，但没有状态接受它——请为它添加转换或删除它`,
          );
      }
    },
  };
}

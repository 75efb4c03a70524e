import { assign, setup, type AnyStateMachine } from 'xstate';
import { z } from 'zod';
import type { ActionSpec, Definition, DelaySpec } from './definition-schema';
import type { Actor, CalendarData } from './types';
// From their own modules rather than './calendar': its index also loads the calendar file
// validator, whose schemas would be built again for every workflow that loads this module.
import { addBusinessDays } from './calendar/business-days';
import { addBusinessHours } from './calendar/business-hours';
import { addCalendarDuration } from './calendar/calendar-duration';
import { evaluateGuard, readPath, resolveNumber, resolveValue, toInstant, type Scope } from './expressions';

/** The event object the machine sees for a human action. */
export interface MachineEvent {
  type: string;
  data?: Record<string, unknown>;
  actor?: Actor;
}

/**
 * A definition ready to run: the XState machine with the definition's named
 * guards, actions and delays, the payload validators, and the parameter values.
 * `clock.now` is set by the step function before every transition so that delays
 * and time guards read workflow time, never the wall clock.
 */
export interface CompiledDefinition {
  definition: Definition;
  calendar: CalendarData;
  machine: AnyStateMachine;
  params: Record<string, unknown>;
  clock: { now: number };
  payloadSchemas: PayloadValidators;
  inputSchema: z.ZodType;
}

/** The payload validator of each declared event (undefined for an undeclared one). */
export interface PayloadValidators {
  get(event: string): z.ZodType | undefined;
}

/** Fields every event may carry besides its own: a comment and attachment references. */
const COMMON_EVENT_FIELDS = {
  comment: { type: 'string', maxLength: 4000 },
  attachments: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 500 } },
};

/** Turns a payload JSON Schema into a zod schema, closed to unknown fields unless the schema says otherwise. */
export function payloadValidator(schema: Record<string, unknown> | undefined, withCommonFields: boolean): z.ZodType {
  const base: Record<string, unknown> = schema ? { ...schema } : { type: 'object', properties: {} };
  if (base.type === undefined) base.type = 'object';
  if (base.additionalProperties === undefined) base.additionalProperties = false;
  if (withCommonFields) {
    const properties = { ...((base.properties as Record<string, unknown>) ?? {}) };
    for (const [k, v] of Object.entries(COMMON_EVENT_FIELDS)) if (!(k in properties)) properties[k] = v;
    base.properties = properties;
  }
  return z.fromJSONSchema(base);
}

/** A definition's parameter values. A changed value is a new definition version, never a per-case override. */
export function parameterValues(definition: Definition): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(definition.parameters)) values[name] = spec.default;
  return values;
}

function eventScope(context: Record<string, unknown>, event: unknown, params: Record<string, unknown>, now: number): Scope {
  const e = (event ?? {}) as MachineEvent;
  return { data: e.data ?? {}, context, param: params, actor: e.actor, now };
}

/** The instant a named delay falls due, or undefined when its `from` date is not known. */
export function delayDueAt(spec: DelaySpec, scope: Scope, params: Record<string, unknown>, calendar: CalendarData): number | undefined {
  let t = spec.from === undefined || spec.from === 'now' ? scope.now : toInstant(readPath(scope, spec.from));
  if (t === undefined) return undefined;
  const sign = spec.before ? -1 : 1;
  const n = (ref: Parameters<typeof resolveNumber>[1]) => sign * resolveNumber(params, ref);
  if (spec.businessDays !== undefined) t = addBusinessDays(calendar, t, n(spec.businessDays));
  if (spec.businessHours !== undefined) t = addBusinessHours(calendar, t, n(spec.businessHours));
  if (spec.duration) {
    const d = spec.duration;
    t = addCalendarDuration(calendar, t, {
      months: n(d.months),
      days: n(d.days),
      hours: n(d.hours),
      minutes: n(d.minutes) + n(d.seconds) / 60,
    });
  }
  return t;
}

function contextAction(spec: Exclude<ActionSpec, { type: 'notify' }>, params: Record<string, unknown>, clock: { now: number }) {
  return assign(({ context, event }: { context: Record<string, unknown>; event: unknown }) => {
    const scope = eventScope(context, event, params, clock.now);
    switch (spec.type) {
      case 'assign': {
        const patch: Record<string, unknown> = {};
        for (const [key, ref] of Object.entries(spec.set)) patch[key] = resolveValue(scope, ref);
        return patch;
      }
      case 'increment': {
        const current = context[spec.path];
        return { [spec.path]: (typeof current === 'number' ? current : 0) + (spec.by ?? 1) };
      }
      case 'append': {
        const item: Record<string, unknown> = {};
        for (const [key, ref] of Object.entries(spec.value)) item[key] = resolveValue(scope, ref);
        const current = context[spec.path];
        return { [spec.path]: [...(Array.isArray(current) ? current : []), item] };
      }
    }
  });
}

/** Builds the runnable machine of a definition. Pure: the same inputs give the same machine. */
export function compileDefinition(definition: Definition, calendar: CalendarData): CompiledDefinition {
  const params = parameterValues(definition);
  const clock = { now: 0 };

  const guards: Record<string, (args: { context: Record<string, unknown>; event: unknown }) => boolean> = {};
  for (const name of Object.keys(definition.guards)) {
    guards[name] = ({ context, event }) => evaluateGuard({ guard: name }, eventScope(context, event, params, clock.now), definition.guards);
  }

  const actions: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(definition.actions)) {
    // Effects (notify) are returned by the pure transition and carried out by the workflow.
    actions[name] = spec.type === 'notify' ? function effect() {} : contextAction(spec, params, clock);
  }

  const delays: Record<string, (args: { context: Record<string, unknown>; event: unknown }) => number> = {};
  for (const [name, spec] of Object.entries(definition.delays)) {
    delays[name] = ({ context, event }) => {
      const due = delayDueAt(spec, eventScope(context, event, params, clock.now), params, calendar);
      return due === undefined ? Infinity : Math.max(0, due - clock.now);
    };
  }

  const { context: initialContext, ...config } = definition.machine;
  // The implementations are built from data, so their names are only known at run time.
  const implementations = { guards, actions, delays } as never;
  const machine = setup(implementations).createMachine({
    ...(config as object),
    id: definition.process,
    context: ({ input }: { input: Record<string, unknown> }) => ({ ...(initialContext ?? {}), ...input }),
  } as never);

  // Validators are built when first needed: a case sends only some of its events, and a
  // replayed one (Update validators do not run on replay) none. The linter has built each
  // of them once already, so a published definition cannot fail here later than before.
  const validators = new Map<string, z.ZodType>();
  const payloadSchemas: PayloadValidators = {
    get(event) {
      let validator = validators.get(event);
      if (validator === undefined) {
        if (!Object.hasOwn(definition.events, event)) return undefined;
        validator = payloadValidator(definition.events[event]!.payload, true);
        validators.set(event, validator);
      }
      return validator;
    },
  };
  let inputSchema: z.ZodType | undefined;

  return {
    definition,
    calendar,
    machine: machine as unknown as AnyStateMachine,
    params,
    clock,
    payloadSchemas,
    get inputSchema() {
      return (inputSchema ??= payloadValidator(definition.input, false));
    },
  };
}

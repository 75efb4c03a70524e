/** Labels of payload fields and enum values (x-labels, x-enum-labels): shown in forms, never checked. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { definitionSchema } from '../../engine/definition-schema';
import { caseFieldsByName, eventFieldsByName, fieldTitle, valueText } from '../../web/src/form/labels';
import { payloadFields, withoutLabels } from '../../engine/payload-labels';
import { eventPayloadJsonSchema, payloadValidator } from '../../engine/payload-schema';

const FILES = ['complaint', 'contract', 'follow_up', 'improvement_measure', 'lost_deal', 'visit'];
const load = (file: string) =>
  definitionSchema.parse(JSON.parse(readFileSync(join(__dirname, '..', '..', 'definitions', `${file}.json`), 'utf8')));

test('the form schema of an event carries its fields’ labels and its enum values’ labels', () => {
  const complaint = load('complaint');
  const accept = eventPayloadJsonSchema(complaint, 'ACCEPT') as { properties: Record<string, Record<string, unknown>> };
  expect(accept.properties.assignee!['x-labels']).toEqual({ en: 'Handler', 'zh-CN': '处理人' });
  const contact = eventPayloadJsonSchema(complaint, 'LOG_CONTACT') as { properties: Record<string, Record<string, unknown>> };
  expect(contact.properties.channel!['x-enum-labels']).toMatchObject({ phone: { en: 'Phone', 'zh-CN': '电话' } });
  // The common fields are there too, as before.
  expect(Object.keys(accept.properties)).toEqual(expect.arrayContaining(['comment', 'attachments']));
});

describe('labels never change what a payload is checked against', () => {
  const schemas = FILES.flatMap((file) => {
    const def = load(file);
    return [
      { name: `${file} input`, schema: def.input, common: false },
      ...Object.entries(def.events).flatMap(([event, spec]) =>
        spec.payload ? [{ name: `${file} ${event}`, schema: spec.payload, common: true }] : [],
      ),
    ];
  });

  test.each(schemas.map((s) => [s.name, s] as const))('%s', (_name, { schema, common }) => {
    const labelled = payloadValidator(schema, common);
    const plain = payloadValidator(withoutLabels(schema) as Record<string, unknown>, common);
    const fields = payloadFields(schema).filter((f) => !f.path.includes('.'));
    const choices = fields.flatMap((f) => (f.choices ? f.choices.values : []));
    const value = fc.oneof(
      fc.constantFrom(...(choices.length ? choices : ['x'])),
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.constantFrom(...(choices.length ? choices : ['x'])), { maxLength: 3 }),
      fc.constant({ en: 'Label', 'zh-CN': '标签' }),
    );
    const names = [...fields.map((f) => f.path), 'x-labels', 'x-enum-labels', 'unknown'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value, { maxKeys: names.length }), (payload) => {
        expect(labelled.safeParse(payload)).toEqual(plain.safeParse(payload));
      }),
      { numRuns: 60, seed: 15 },
    );
  });

  test('a field called x-labels is data, not a label', () => {
    const schema = { type: 'object', properties: { 'x-labels': { type: 'string', 'x-labels': { en: 'Tag', 'zh-CN': '标签' } } } };
    expect(withoutLabels(schema)).toEqual({ type: 'object', properties: { 'x-labels': { type: 'string' } } });
    expect(payloadValidator(schema, false).safeParse({ 'x-labels': 3 }).success).toBe(false);
    expect(payloadValidator(schema, false).safeParse({ 'x-labels': 'a' }).success).toBe(true);
  });
});

test('case data and history show field names and enum values by their labels', () => {
  const complaint = load('complaint');
  const fields = caseFieldsByName(complaint);
  expect(fieldTitle(fields.get('severity'), 'severity', 'zh-CN')).toBe('严重程度');
  expect(valueText(fields.get('severity'), 'high', 'zh-CN')).toBe('高');
  expect(valueText(fields.get('severity'), 'high', 'en')).toBe('High');
  expect(valueText(fields.get('severity'), 'unheard-of', 'zh-CN')).toBe('unheard-of');
  expect(fieldTitle(fields.get('acceptedAt'), 'acceptedAt', 'zh-CN')).toBe('Accepted at');
  // The history: the start's data by the input's labels, an event's by its payload's.
  expect(fieldTitle(eventFieldsByName(complaint, 'xstate.init').get('channel'), 'channel', 'zh-CN')).toBe('渠道');
  expect(fieldTitle(eventFieldsByName(complaint, 'ACCEPT').get('assignee'), 'assignee', 'zh-CN')).toBe('处理人');
  expect(eventFieldsByName(complaint, 'NO_SUCH_EVENT').size).toBe(0);
  const visit = load('visit');
  const objectives = caseFieldsByName(visit).get('objectives');
  expect(valueText(objectives, ['needs', 'trust'], 'zh-CN')).toBe('了解需求、建立信任');
});

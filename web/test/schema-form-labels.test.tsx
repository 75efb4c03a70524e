/** The schema form in Chinese: field labels and enum choices by the definition's labels (x-labels, x-enum-labels). */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { SchemaForm } from '../src/form/SchemaForm';
import type { Lang } from '../src/i18n';
import { eventPayloadJsonSchema } from '../../engine/payload-schema';
import { definitionSchema } from '../../engine/definition-schema';
import complaintJson from '../../definitions/complaint.json';
import visitJson from '../../definitions/visit.json';

const FILES = { complaint: complaintJson, visit: visitJson };
const definition = (file: keyof typeof FILES) => definitionSchema.parse(FILES[file]);

let host: HTMLDivElement;

beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
});

afterEach(() => {
  render(null, host);
  host.remove();
});

async function mount(
  schema: Record<string, unknown>,
  lang: Lang,
  onSubmit: (p: Record<string, unknown>) => Promise<void> = async () => undefined,
) {
  await act(() => {
    render(<SchemaForm schema={schema} lang={lang} submitLabel="提交" idPrefix="t" onSubmit={onSubmit} />, host);
  });
}

const labelText = (name: string) =>
  host
    .querySelector(`#t-${name}-label`)
    ?.textContent?.replace(/\s*\*$/, '')
    .trim();
const optionTexts = (name: string) =>
  Array.from(host.querySelector<HTMLSelectElement>(`#t-${name}`)!.options).map((o) => [o.value, o.text]);

test('the complaint start form in Chinese: every field and every choice by its Chinese label', async () => {
  await mount(definition('complaint').input, 'zh-CN');
  expect(['customer', 'contact', 'channel', 'content', 'category', 'severity'].map(labelText)).toEqual([
    '客户',
    '联系人及电话',
    '渠道',
    '投诉内容',
    '投诉类别',
    '严重程度',
  ]);
  expect(optionTexts('severity')).toEqual([
    ['', '— 请选择 —'],
    ['low', '低'],
    ['normal', '一般'],
    ['high', '高'],
  ]);
  expect(optionTexts('channel').map(([, text]) => text)).toEqual(['— 请选择 —', '电话', '邮件', '在线', '上门', '其他']);
});

test('the same form in English', async () => {
  await mount(definition('complaint').input, 'en');
  expect(labelText('contact')).toBe('Contact person and phone');
  expect(optionTexts('category').slice(1, 3)).toEqual([
    ['product_quality', 'Product quality'],
    ['delivery', 'Delivery'],
  ]);
});

test('a list of choices is a group of labelled checkboxes, and the values chosen are sent', async () => {
  const sent = jest.fn(async (_p: Record<string, unknown>) => undefined);
  const visit = definition('visit');
  const plan = eventPayloadJsonSchema(visit, 'SUBMIT_PLAN') as { properties: Record<string, unknown>; required?: string[] };
  // Only the list of objectives, to send it alone.
  await mount({ type: 'object', properties: { objectives: plan.properties.objectives }, required: ['objectives'] }, 'zh-CN', sent);
  expect(labelText('objectives')).toBe('拜访目标');
  const boxes = Array.from(host.querySelectorAll<HTMLInputElement>('.choices input[type=checkbox]'));
  expect(boxes.map((b) => [b.value, b.parentElement?.textContent?.trim()])).toEqual([
    ['needs', '了解需求'],
    ['trust', '建立信任'],
    ['information', '收集信息'],
    ['support', '提供支持'],
    ['cooperation', '促成合作'],
  ]);
  await act(async () => {
    boxes[2]!.click();
    boxes[0]!.click();
    await new Promise((r) => setTimeout(r, 0));
  });
  await act(async () => {
    host.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await new Promise((r) => setTimeout(r, 0));
  });
  expect(sent).toHaveBeenCalledWith({ objectives: ['needs', 'information'] });
});

test('fields without labels keep their readable names', async () => {
  await mount(
    { type: 'object', properties: { promisedResponseBy: { type: 'string' }, tier: { type: 'string', enum: ['gold_plus'] } } },
    'zh-CN',
  );
  expect(labelText('promisedResponseBy')).toBe('Promised response by');
  expect(optionTexts('tier')[1]).toEqual(['gold_plus', 'Gold plus']);
});

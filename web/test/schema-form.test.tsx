/** The schema-driven form: fields from a payload's JSON Schema, validation messages, the payload sent, and refusals that keep the values. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { ApiFailure } from '../src/api';
import { SchemaForm } from '../src/form/SchemaForm';
import { fieldsOf, localInputToIso, toPayload, validate } from '../src/form/schema';
import type { Lang } from '../src/i18n';

/** ACCEPT of the complaint process as GET /cases/{id} gives it: its own fields and the common comment and attachments. */
const ACCEPT = {
  type: 'object',
  additionalProperties: false,
  required: ['department', 'assignee'],
  properties: {
    department: { type: 'string', minLength: 1, maxLength: 200 },
    assignee: { type: 'string', minLength: 1, maxLength: 200 },
    promisedResponseBy: { type: 'string', format: 'date-time' },
    comment: { type: 'string', maxLength: 4000 },
    attachments: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 500 } },
  },
};

const MIXED = {
  type: 'object',
  required: ['score', 'channel', 'visitDate'],
  properties: {
    note: { type: 'string', maxLength: 10, title: 'Short note' },
    score: { type: 'integer', minimum: 1, maximum: 5 },
    channel: { type: 'string', enum: ['phone', 'email', 'on_site'] },
    visitDate: { type: 'string', format: 'date' },
    amount: { type: 'number', minimum: 0 },
    urgent: { type: 'boolean' },
    code: { type: 'string', pattern: '^[A-Z]{3}$', maxLength: 3 },
  },
};

let host: HTMLDivElement;

beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
});

afterEach(() => {
  render(null, host);
  host.remove();
});

async function mount(schema: Record<string, unknown>, onSubmit: (p: Record<string, unknown>) => Promise<void>, lang: Lang = 'en') {
  await act(() => {
    render(<SchemaForm schema={schema} lang={lang} submitLabel="Send" idPrefix="t" onSubmit={onSubmit} />, host);
  });
}

const el = <T extends Element = HTMLInputElement>(selector: string) => {
  const found = host.querySelector<T>(selector as never);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};

async function type(selector: string, value: string) {
  const input = el<HTMLInputElement | HTMLTextAreaElement>(selector);
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit() {
  await act(async () => {
    el<HTMLButtonElement>('button[type=submit]').click();
    await new Promise((r) => setTimeout(r, 0));
  });
}

const errorOf = (name: string) => host.querySelector(`#t-${name}-error`)?.textContent ?? null;

describe('fields from a JSON Schema', () => {
  test('required fields first, then optional ones, the common comment and attachments last', () => {
    const fields = fieldsOf(ACCEPT);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['department', 'text', true],
      ['assignee', 'text', true],
      ['promisedResponseBy', 'datetime', false],
      ['comment', 'textarea', false],
      ['attachments', 'list', false],
    ]);
  });

  test('enums are choices, dates are date pickers, numbers are numbers, booleans are checkboxes', async () => {
    await mount(MIXED, async () => undefined);
    expect(el('#t-channel').tagName).toBe('SELECT');
    expect(Array.from(el<HTMLSelectElement>('#t-channel').options).map((o) => o.value)).toEqual(['', 'phone', 'email', 'on_site']);
    expect(el('#t-visitDate').type).toBe('date');
    expect(el('#t-score').type).toBe('number');
    expect(el('#t-score').step).toBe('1');
    expect(el('#t-urgent').type).toBe('checkbox');
    expect(el('label[for=t-note]').textContent).toBe('Short note');
    expect(el('label[for=t-score]').textContent).toContain('*');
    expect(el('label[for=t-note]').querySelector('.req')).toBeNull();
  });

  test('a schema without properties gives a form with only its button', async () => {
    await mount({ type: 'object' }, async () => undefined);
    expect(host.querySelectorAll('.field')).toHaveLength(0);
    expect(host.querySelectorAll('button[type=submit]')).toHaveLength(1);
  });
});

describe('validation', () => {
  test('required fields left empty are marked and nothing is sent', async () => {
    const sent = jest.fn(async () => undefined);
    await mount(ACCEPT, sent);
    await submit();
    expect(sent).not.toHaveBeenCalled();
    expect(errorOf('department')).toBe('Required');
    expect(errorOf('assignee')).toBe('Required');
    expect(errorOf('promisedResponseBy')).toBeNull();
    expect(host.querySelector('.alert.error')?.textContent).toContain('Please correct the marked fields.');
    expect(el('#t-department').getAttribute('aria-invalid')).toBe('true');
  });

  test('bounds, whole numbers, lengths, patterns and dates have their own messages', () => {
    const fields = fieldsOf(MIXED);
    const errors = validate(
      fields,
      { note: 'much too long', score: '2.5', channel: 'fax', visitDate: '2026-02-30', amount: '-1', code: 'abc' },
      'en',
    );
    expect(errors).toEqual({
      note: 'At most 10 characters',
      score: 'Enter a whole number',
      channel: 'Required',
      visitDate: 'Enter a date',
      amount: 'At least 0',
      code: 'Does not have the expected form',
    });
    expect(validate(fields, { score: '9', channel: 'phone', visitDate: '2026-02-28' }, 'en')).toEqual({ score: 'At most 5' });
  });

  test('messages in Chinese', async () => {
    await mount(ACCEPT, async () => undefined, 'zh-CN');
    await submit();
    expect(errorOf('department')).toBe('必填');
    expect(host.querySelector('.alert.error')?.textContent).toContain('请更正标出的字段。');
  });

  test('a corrected field loses its message', async () => {
    await mount(ACCEPT, async () => undefined);
    await submit();
    expect(errorOf('department')).toBe('Required');
    await type('#t-department', 'after_sales');
    expect(errorOf('department')).toBeNull();
    expect(errorOf('assignee')).toBe('Required');
  });
});

describe('the payload', () => {
  test('values are converted: numbers, a date-time with this time zone, lists; empty optional fields are left out', async () => {
    const sent = jest.fn(async (_p: Record<string, unknown>) => undefined);
    await mount(ACCEPT, sent);
    await type('#t-department', 'after_sales');
    await type('#t-assignee', 'bob');
    await type('#t-promisedResponseBy', '2026-12-01T18:00');
    await type('#t-attachments', 'photo-1.jpg\n\n photo-2.jpg ');
    await submit();
    expect(sent).toHaveBeenCalledTimes(1);
    const payload = sent.mock.calls[0]![0];
    expect(payload).toEqual({
      department: 'after_sales',
      assignee: 'bob',
      promisedResponseBy: expect.stringMatching(/^2026-12-01T18:00:00[+-]\d{2}:\d{2}$/),
      attachments: ['photo-1.jpg', 'photo-2.jpg'],
    });
    expect(Date.parse(payload.promisedResponseBy as string)).toBe(new Date(2026, 11, 1, 18, 0).getTime());
  });

  test('numbers, enums and booleans keep their JSON types', () => {
    const fields = fieldsOf(MIXED);
    expect(toPayload(fields, { score: '4', channel: 'email', visitDate: '2026-03-01', amount: '12.5', urgent: true, note: '' })).toEqual({
      score: 4,
      channel: 'email',
      visitDate: '2026-03-01',
      amount: 12.5,
      urgent: true,
    });
  });

  test('an impossible local date-time is refused', () => {
    expect(localInputToIso('2026-02-30T10:00')).toBeUndefined();
    expect(localInputToIso('tomorrow')).toBeUndefined();
  });
});

describe('when the server refuses', () => {
  test('its field issues are shown at the fields, in plain words, and the entered values stay', async () => {
    const refuse = jest.fn(async (): Promise<void> => {
      throw new ApiFailure(422, 'ValidationError', 'the data of ACCEPT is invalid: assignee: no such user', [
        { path: 'assignee', message: 'no such user' },
        { path: '', message: 'something else' },
      ]);
    });
    await mount(ACCEPT, refuse);
    await type('#t-department', 'after_sales');
    await type('#t-assignee', 'nobody');
    await type('#t-comment', 'called twice');
    await submit();
    expect(refuse).toHaveBeenCalledTimes(1);
    expect(errorOf('assignee')).toBe('no such user');
    const alert = host.querySelector('.alert.error')!.textContent;
    expect(alert).toContain('Some of the entered values were not accepted.');
    expect(alert).toContain('something else');
    expect(el('#t-department').value).toBe('after_sales');
    expect(el('#t-assignee').value).toBe('nobody');
    expect(el<HTMLTextAreaElement>('#t-comment').value).toBe('called twice');
    // Sending again after a correction works, with the kept values.
    refuse.mockImplementationOnce(async () => undefined);
    await type('#t-assignee', 'bob');
    await submit();
    expect(refuse).toHaveBeenCalledTimes(2);
  });

  test('a case that moved on is explained, and the form keeps what was typed', async () => {
    await mount(
      { type: 'object', required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 4000 } } },
      async () => {
        throw new ApiFailure(409, 'NotAllowedInState', 'CUSTOMER_REJECTED is not allowed in state "executing"');
      },
    );
    await type('#t-reason', 'wants a refund');
    await submit();
    const alert = host.querySelector('.alert.error')!.textContent;
    expect(alert).toContain('The case has moved on');
    expect(alert).toContain('CUSTOMER_REJECTED is not allowed in state "executing"');
    expect(el<HTMLTextAreaElement>('#t-reason').value).toBe('wants a refund');
  });

  test('a role that may not act is told so', async () => {
    await mount({ type: 'object' }, async () => {
      throw new ApiFailure(403, 'Forbidden', 'role "handler" may not send APPROVE; it is for service_manager');
    });
    await submit();
    expect(host.querySelector('.alert.error')!.textContent).toContain('Your role may not do this.');
  });
});

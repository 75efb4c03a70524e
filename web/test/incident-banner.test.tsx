/** The incident banner of a case: what failed and why, Retry only for operators (as admin), and how a retry went. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { saveSession } from '../src/api';
import type { Lang } from '../src/i18n';
import { IncidentBanner } from '../src/incidents';
import type { Incident, RetryResult } from '../src/types';
import { App, type Me } from '../src/ui';

const incident: Incident = {
  id: 'complaint-1:incident:1',
  caseId: 'complaint-1',
  processId: 'complaint',
  effect: 'persistTransition',
  seq: 3,
  description: 'store transition 3 (ACCEPT)',
  error: { type: 'InvalidDataError', message: 'the database refused the row' },
  attempts: 1,
  openedAt: '2030-01-02T03:04:05.000Z',
};

const me: Me = { userId: 'opal', displayName: 'Opal', roles: ['cs_agent', 'admin'], role: 'cs_agent' };

let host: HTMLDivElement;
let requests: Array<{ url: string; init: RequestInit }>;
let answer: { status: number; body: unknown };

beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
  requests = [];
  saveSession({ token: 'dkt_test', role: 'cs_agent' });
  globalThis.fetch = jest.fn(async (url: string, init?: RequestInit) => {
    requests.push({ url, init: init ?? {} });
    // jsdom has no Response: the parts of one that the API client reads.
    return { ok: answer.status < 300, status: answer.status, text: async () => JSON.stringify(answer.body) } as Response;
  }) as typeof fetch;
});

afterEach(() => {
  render(null, host);
  host.remove();
  saveSession(null);
});

async function mount(props: { incidents: Incident[]; canRetry: boolean; onRetried?: (r: RetryResult) => void }, lang: Lang = 'en') {
  await act(() => {
    render(
      <App.Provider value={{ lang, me, navigate: () => undefined }}>
        <IncidentBanner caseId="complaint-1" {...props} />
      </App.Provider>,
      host,
    );
  });
}

async function clickRetry() {
  await act(async () => {
    host.querySelector<HTMLButtonElement>('[data-action=retry]')!.click();
    await new Promise((r) => setTimeout(r, 0));
  });
}

test('a case with an open incident says it is on hold, what failed, for which transition, the error, attempts and since when', async () => {
  await mount({ incidents: [incident], canRetry: false });
  const banner = host.querySelector('[data-testid=incident-banner]')!;
  expect(banner.getAttribute('role')).toBe('alert');
  const text = banner.textContent;
  expect(text).toContain('This case is on hold: an effect failed for good');
  expect(text).toContain('takes no actions until an administrator fixes the cause and retries it');
  expect(text).toContain('Storing the transition · transition #3 — store transition 3 (ACCEPT)');
  expect(text).toContain('InvalidDataError: the database refused the row');
  expect(text).toContain('Attempts: 1');
  expect(text).toContain('2 Jan 2030');
  expect(host.querySelector('[data-action=retry]')).toBeNull();
});

test('in Chinese the banner speaks Chinese', async () => {
  await mount({ incidents: [incident], canRetry: false }, 'zh-CN');
  const text = host.querySelector('[data-testid=incident-banner]')!.textContent;
  expect(text).toContain('此工单已暂停');
  expect(text).toContain('保存流转记录 · 第 3 步流转');
  expect(text).toContain('失败次数: 1');
});

test('no incident, no banner', async () => {
  await mount({ incidents: [], canRetry: true });
  expect(host.textContent).toBe('');
});

test('an operator retries in the admin role whatever role they act in; a retry that fails again shows the new error', async () => {
  const retried: RetryResult[] = [];
  answer = {
    status: 200,
    body: { caseId: 'complaint-1', resolved: [], open: [{ ...incident, attempts: 2, error: { type: 'X', message: 'still refused' } }] },
  };
  await mount({ incidents: [incident], canRetry: true, onRetried: (r) => retried.push(r) });
  await clickRetry();
  expect(requests).toHaveLength(1);
  expect(requests[0]!.url).toBe('/cases/complaint-1/incidents/retry');
  expect(requests[0]!.init.method).toBe('POST');
  expect((requests[0]!.init.headers as Record<string, string>)['x-docket-role']).toBe('admin');
  const outcome = host.querySelector('[data-retry=failed]')!;
  expect(outcome.textContent).toContain('The retry failed again');
  expect(outcome.textContent).toContain('X: still refused (Attempts: 2)');
  expect(retried).toHaveLength(1);
});

test('a retry that succeeds says the case goes on, and the message stays once the banner is gone', async () => {
  answer = { status: 200, body: { caseId: 'complaint-1', resolved: [incident.id], open: [] } };
  await mount({ incidents: [incident], canRetry: true });
  await clickRetry();
  await mount({ incidents: [], canRetry: true });
  expect(host.querySelector('[data-testid=incident-banner]')).toBeNull();
  expect(host.querySelector('[data-retry=resolved]')!.textContent).toBe('Retried: the effect succeeded and the case goes on.');
});

test('a refused retry is explained in words', async () => {
  answer = { status: 409, body: { error: { code: 'NoIncident', message: 'case complaint-1 has no open incident' } } };
  await mount({ incidents: [incident], canRetry: true });
  await clickRetry();
  const alert = host.querySelector('.alert.error')!;
  expect(alert.textContent).toContain('This case has no open incident (it may have been retried already).');
  expect(alert.textContent).toContain('case complaint-1 has no open incident');
});

/**
 * The business calendar in the UI: a banner while the active calendar ends within 60 days,
 * the flag of a deadline counted beyond it, and the admins' form to publish a new version
 * (next year's holidays and make-up days), which the open cases then adopt.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, post } from './api';
import type { components } from './api-types';
import { Badge, ErrorBox, useApp } from './ui';

type CurrentCalendar = components['schemas']['CurrentCalendar'];
type Publication = components['schemas']['CalendarPublication'];

/** Shown to staff and admins while the active calendar ends within 60 days (or has ended). */
export function CalendarBanner() {
  const { me, lang } = useApp();
  const [current, setCurrent] = useState<CurrentCalendar | null>(null);
  const shown = me.role !== 'auditor' && me.role !== 'process_owner';
  useEffect(() => {
    if (shown) get<CurrentCalendar>('/calendars/current').then(setCurrent, () => setCurrent(null));
  }, [shown]);
  if (!current?.warning) return null;
  const text =
    lang === 'zh-CN'
      ? `工作日历 ${current.calendarId}（版本 ${current.version}）覆盖至 ${current.coversUntil}，剩余 ${Math.max(0, current.daysLeft)} 天：此后的时限只按周末计算。请管理员发布下一年的节假日与调休。`
      : `The business calendar ${current.calendarId} (version ${current.version}) covers up to ${current.coversUntil}, ${Math.max(0, current.daysLeft)} day(s) left: deadlines after it are counted on weekends only. An admin should publish next year's holidays and make-up days.`;
  return (
    <div class="alert" role="alert" data-testid="calendar-banner">
      {text}
    </div>
  );
}

/** The flag of a deadline counted beyond the calendar, next to it on the case page. */
export function BeyondCalendar({ note }: { note?: string | undefined }) {
  const { lang } = useApp();
  if (!note) return null;
  const until = /(\d{4}-\d{2}-\d{2})$/.exec(note)?.[1] ?? '';
  return (
    <span data-testid="beyond-calendar">
      {' '}
      <Badge kind="danger">{lang === 'zh-CN' ? `仅按周末计算：日历止于 ${until}` : note}</Badge>
    </span>
  );
}

/** Admins: publish a new calendar version from its JSON file; the open cases adopt it. */
export function CalendarPublishForm() {
  const { lang } = useApp();
  const zh = lang === 'zh-CN';
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<Publication | null>(null);
  const [busy, setBusy] = useState(false);
  const publish = async () => {
    setError(null);
    setResult(null);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setError(new Error(`${zh ? '不是有效的 JSON' : 'not valid JSON'}: ${(err as Error).message}`));
      return;
    }
    setBusy(true);
    try {
      setResult(await post<Publication>('/calendars', body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" data-testid="calendar-publish">
      <h2>{zh ? '发布工作日历' : 'Publish the business calendar'}</h2>
      <p class="muted">
        {zh
          ? '粘贴或选择日历文件（含 coversFrom、coversUntil、节假日与调休）。发布后所有进行中的案件按新日历重新计算时限。'
          : 'Paste or choose the calendar file (with coversFrom, coversUntil, the holidays and make-up days). Once published, every open case recounts its deadlines on it.'}
      </p>
      <input type="file" accept="application/json,.json" onChange={(e) => void e.currentTarget.files?.[0]?.text().then(setText)} />
      <textarea rows={8} class="mono" value={text} onInput={(e) => setText(e.currentTarget.value)} aria-label="calendar JSON" />
      <button disabled={busy || text.trim() === ''} onClick={() => void publish()}>
        {zh ? '发布' : 'Publish'}
      </button>
      <ErrorBox error={error} />
      {result && (
        <div class="alert ok" role="status" data-testid="calendar-published">
          {result.created
            ? `${zh ? '已发布' : 'Published'} ${result.published.calendarId} v${result.published.version} (${result.published.coversFrom} – ${result.published.coversUntil})`
            : `${zh ? '此日历已发布为' : 'Already published as'} v${result.published.version}`}
          . {zh ? '进行中的案件' : 'Open cases'}: {result.rollout.cases}; {zh ? '已采用' : 'adopted'}: {result.rollout.adopted};{' '}
          {zh ? '未变' : 'unchanged'}: {result.rollout.unchanged}; {zh ? '未送达' : 'not reached'}: {result.rollout.failed.length}
        </div>
      )}
    </section>
  );
}

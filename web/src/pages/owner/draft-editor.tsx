/** The draft editor: JSON with the linter's messages by line, and the diagram of a valid definition. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, post } from '../../api';
import { jsonPositions, lineOf, syntaxErrorLine } from '../../jsonpos';
import type { DraftResult, Problem, Validation } from '../../types';
import { Diagram, ErrorBox, useApp } from '../../ui';

interface Check {
  problems: Array<Problem & { line: number }>;
  warnings: Array<Problem & { line: number }>;
  syntax?: { line: number | undefined; message: string };
  svg?: string;
}

export function DraftEditor(props: { processId: string; initial: unknown; onSaved: (r: DraftResult) => void }) {
  const { t, lang } = useApp();
  const [text, setText] = useState(() => JSON.stringify(props.initial, null, 2));
  const [check, setCheck] = useState<Check>({ problems: [], warnings: [] });
  const say = (p: Problem) => (lang === 'zh-CN' ? p.messageZh : p.message);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      void (async () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (live) setCheck({ problems: [], warnings: [], syntax: { line: syntaxErrorLine(text, message), message } });
          return;
        }
        try {
          const positions = jsonPositions(text) ?? new Map();
          const lint = await post<Validation>('/definitions/validate', parsed);
          const located = (ps: Problem[]) => ps.map((p) => ({ ...p, line: lineOf(positions, p.path) }));
          let svg: string | undefined;
          if (lint.ok) svg = await post<string>('/definitions/diagram', parsed, { text: true });
          if (live) setCheck({ problems: located(lint.problems), warnings: located(lint.warnings), ...(svg !== undefined && { svg }) });
        } catch (err) {
          if (live) setError(err);
        }
      })();
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);

  const lines = text.split('\n').length;
  const marks = new Map<number, string[]>();
  for (const p of check.problems) marks.set(p.line, [...(marks.get(p.line) ?? []), say(p)]);
  if (check.syntax?.line) marks.set(check.syntax.line, [check.syntax.message]);

  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const starts = [0];
    for (let k = 0; k < text.length; k++) if (text[k] === '\n') starts.push(k + 1);
    const start = starts[line - 1] ?? 0;
    const end = starts[line] !== undefined ? starts[line] - 1 : text.length;
    el.focus();
    el.setSelectionRange(start, end);
    el.scrollTop = Math.max(0, (line - 5) * 18);
  };

  const save = async () => {
    setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      setError(new ApiFailure(400, 'InvalidJson', err instanceof Error ? err.message : String(err)));
      return;
    }
    setBusy(true);
    try {
      props.onSaved(await post<DraftResult>(`/definitions/${props.processId}/draft`, parsed));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="editor-layout">
      <div class="editor-col">
        <p class="muted small">{t('editorHelp')}</p>
        <div class="editor">
          <div class="gutter" ref={gutter} aria-hidden="true">
            {Array.from({ length: lines }, (_, k) => {
              const m = marks.get(k + 1);
              return (
                <div key={k} class={m ? 'mark' : ''} title={m?.join('\n')}>
                  {m ? '●' : ''}
                  {k + 1}
                </div>
              );
            })}
          </div>
          <textarea
            ref={area}
            spellcheck={false}
            aria-label={t('editor')}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            onScroll={(e) => {
              if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
            }}
          />
        </div>
        <div class="problems" data-testid="problems">
          {check.syntax ? (
            <div class="alert error">
              <button type="button" class="link" onClick={() => check.syntax?.line && goTo(check.syntax.line)}>
                {t('line')} {check.syntax.line ?? '?'}
              </button>
              : {t('badJson')} — {check.syntax.message}
            </div>
          ) : check.problems.length === 0 ? (
            <p class="ok-text">{t('noProblems')}</p>
          ) : (
            <>
              <strong>
                {t('problems')} ({check.problems.length})
              </strong>
              <ProblemList problems={check.problems} goTo={goTo} say={say} />
            </>
          )}
          {!check.syntax && check.warnings.length > 0 && (
            <div class="warnings" data-testid="warnings">
              <strong>
                {t('warnings')} ({check.warnings.length})
              </strong>
              <ProblemList problems={check.warnings} goTo={goTo} say={say} />
            </div>
          )}
        </div>
        <ErrorBox error={error} />
        <button class="primary" onClick={() => void save()} disabled={busy} data-action="save-draft">
          {t('saveDraft')}
        </button>
      </div>
      <div class="editor-diagram">{check.svg ? <Diagram svg={check.svg} fit /> : null}</div>
    </div>
  );
}

function ProblemList(props: { problems: Array<Problem & { line: number }>; goTo: (line: number) => void; say: (p: Problem) => string }) {
  const { t } = useApp();
  return (
    <ul>
      {props.problems.map((p, k) => (
        <li key={k} data-line={p.line} data-code={p.code}>
          <button type="button" class="link" onClick={() => props.goTo(p.line)}>
            {t('line')} {p.line}
          </button>{' '}
          <code>{p.path}</code>: {props.say(p)}
        </li>
      ))}
    </ul>
  );
}

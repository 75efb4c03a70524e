/** Lists the API pages by cursor (the inbox, the search): the first page loaded, "show more" adding the next. */
import { useState } from 'preact/hooks';
import type { ProcessInfo } from '../types';
import { ErrorBox, useApp, useLoad, type Loaded } from '../ui';

/** One page of a list as the API answers it (under whatever name it gives the rows). */
export interface Page<T> {
  items: T[];
  /** How many there are in all, when the API counts them. */
  total?: number;
  /** The API stopped counting at `total`: more match. */
  totalCapped?: boolean;
  nextCursor: string | null;
}

export interface Pages<T> {
  /** Every row read so far, as a load (its error and reload those of the first page). */
  load: Loaded<T[]>;
  total: number | undefined;
  /** More than `total` match (the API counts up to a cap). */
  totalCapped: boolean;
  nextCursor: string | null;
  showMore: () => Promise<void>;
  reload: () => void;
  moreError: unknown;
}

/**
 * The pages of the list that `key` names (a new key starts again from its first page): `read`
 * fetches the first page without a cursor and the next one with the last page's cursor.
 */
export function usePages<T>(key: string, read: (cursor?: string) => Promise<Page<T>>): Pages<T> {
  const first = useLoad(() => read(), [key]);
  const [more, setMore] = useState<{ key: string; items: T[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const extra = more?.key === key ? more : null;
  const nextCursor = extra ? extra.nextCursor : (first.data?.nextCursor ?? null);
  return {
    load: { ...first, data: first.data ? [...first.data.items, ...(extra?.items ?? [])] : undefined },
    total: first.data?.total,
    totalCapped: first.data?.totalCapped === true,
    nextCursor,
    moreError,
    async showMore() {
      if (nextCursor === null) return;
      setMoreError(null);
      try {
        const page = await read(nextCursor);
        setMore({ key, items: [...(extra?.items ?? []), ...page.items], nextCursor: page.nextCursor });
      } catch (err) {
        setMoreError(err);
      }
    },
    reload() {
      setMore(null);
      first.reload();
    },
  };
}

/** Under a list: how many of how many are shown (when the API counts them), and "show more" while more follow. */
export function MoreLine<T>({ pages, testId }: { pages: Pages<T>; testId: string }) {
  const { t } = useApp();
  const shown = pages.load.data?.length ?? 0;
  return (
    <>
      <ErrorBox error={pages.moreError} />
      {shown > 0 && (pages.total !== undefined || pages.nextCursor !== null) && (
        <div class="page-more">
          {pages.total !== undefined && (
            <span class="muted" data-testid={testId}>
              {t('shownOfTotal', { shown, total: `${pages.total}${pages.totalCapped ? '+' : ''}` })}
            </span>
          )}
          {pages.nextCursor !== null && (
            <button data-action="show-more" onClick={() => void pages.showMore()}>
              {t('showMore')}
            </button>
          )}
        </div>
      )}
    </>
  );
}

/** The options of a process filter: any, then each process by its label. */
export function ProcessOptions({ processes }: { processes: ProcessInfo[] | undefined }) {
  const { t, l } = useApp();
  return (
    <>
      <option value="">{t('any')}</option>
      {(processes ?? []).map((p) => (
        <option key={p.processId} value={p.processId}>
          {l(p.labels, p.processId)}
        </option>
      ))}
    </>
  );
}

/**
 * The Customers page: find customers by part of the name or id, industry, grades and owner, twenty a
 * page with the total and "show more"; and, for the roles that keep records, a form for a new one.
 */
import { useState } from 'preact/hooks';
import { answered, api } from '../../api';
import type { operations } from '../../api-types';
import { LoadedList } from '../../components/list-table';
import { MoreLine, usePages } from '../../components/paged-list';
import type { Customer } from '../../types';
import { useApp } from '../../ui';
import { INTENTION_GRADES, VALUE_GRADES } from '../../../../engine/customers';
import { keepsCustomers } from './access';
import { RecordForm } from './record-form';

type FindQuery = NonNullable<operations['getCustomers']['parameters']['query']>;
type Filters = Pick<FindQuery, 'search' | 'industry' | 'valueGrade' | 'intentionGrade' | 'owner'>;

const PAGE = 20;

export function CustomersPage() {
  const { t, me, navigate } = useApp();
  const [filters, setFilters] = useState<Filters>({});
  const [creating, setCreating] = useState(false);
  const pages = usePages<Customer>(JSON.stringify(filters), async (cursor) => {
    const page = await answered(
      api.GET('/customers', { params: { query: { ...filters, limit: PAGE, ...(cursor !== undefined && { cursor }) } } }),
    );
    return { items: page.customers, total: page.total, totalCapped: page.totalCapped, nextCursor: page.nextCursor };
  });
  const grade = (kind: 'value' | 'intention', g: string | null) =>
    g === null ? <span class="muted">—</span> : t(kind === 'value' ? (`value_${g}` as 'value_high') : (`intention_${g}` as 'intention_A'));

  return (
    <section class="customers-page">
      <div class="heading">
        <h1>{t('customers')}</h1>
        <div class="heading-buttons">
          {keepsCustomers(me.role) && !creating && (
            <button type="button" class="primary" data-action="new-customer" onClick={() => setCreating(true)}>
              {t('newCustomer')}
            </button>
          )}
          <button type="button" onClick={pages.reload}>
            {t('reload')}
          </button>
        </div>
      </div>
      {creating && (
        <RecordForm onCancel={() => setCreating(false)} onSaved={(c) => navigate(`#/customers/${encodeURIComponent(c.customerId)}`)} />
      )}
      <form
        class="filters inbox-filters customer-filters"
        aria-label={t('filters')}
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const value = (name: string) => {
            const v = data.get(name);
            return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
          };
          setFilters({
            ...(value('search') !== undefined && { search: value('search') }),
            ...(value('industry') !== undefined && { industry: value('industry') }),
            ...(value('valueGrade') !== undefined && { valueGrade: value('valueGrade') as Filters['valueGrade'] }),
            ...(value('intentionGrade') !== undefined && { intentionGrade: value('intentionGrade') as Filters['intentionGrade'] }),
            ...(value('owner') !== undefined && { owner: value('owner') }),
          });
        }}
      >
        <div class="field wide">
          <label for="find-search">{t('customerSearch')}</label>
          <input id="find-search" name="search" type="search" maxLength={200} autocomplete="off" />
        </div>
        <div class="field">
          <label for="find-value">{t('valueGrade')}</label>
          <select id="find-value" name="valueGrade">
            <option value="">{t('any')}</option>
            {VALUE_GRADES.map((g) => (
              <option key={g} value={g}>
                {t(`value_${g}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="find-intention">{t('intentionGrade')}</label>
          <select id="find-intention" name="intentionGrade">
            <option value="">{t('any')}</option>
            {INTENTION_GRADES.map((g) => (
              <option key={g} value={g}>
                {t(`intention_${g}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="find-owner">{t('owner')}</label>
          <input id="find-owner" name="owner" maxLength={200} autocomplete="off" />
        </div>
        <div class="field">
          <label for="find-industry">{t('industry')}</label>
          <input id="find-industry" name="industry" maxLength={100} autocomplete="off" />
        </div>
        <div class="filter-buttons">
          <button type="submit" class="primary" data-action="find">
            {t('search')}
          </button>
          <button
            type="reset"
            data-action="clear-filters"
            onClick={() => {
              setFilters({});
            }}
          >
            {t('clearFilters')}
          </button>
        </div>
      </form>
      <LoadedList
        kind="customers"
        stack
        load={pages.load}
        empty={<p class="muted">{t('customersEmpty')}</p>}
        row={(c) => ({
          key: c.customerId,
          'data-customer': c.customerId,
          onClick: () => navigate(`#/customers/${encodeURIComponent(c.customerId)}`),
        })}
        columns={[
          {
            label: t('customer'),
            attrs: { class: 'customer-cell' },
            cell: (c) => (
              <>
                <a href={`#/customers/${encodeURIComponent(c.customerId)}`}>{c.name}</a>
                <div class="muted small">{c.customerId}</div>
              </>
            ),
          },
          { label: t('valueGrade'), cell: (c) => grade('value', c.valueGrade) },
          { label: t('intentionGrade'), cell: (c) => grade('intention', c.intentionGrade) },
          { label: t('owner'), cell: (c) => c.owner ?? <span class="muted">—</span> },
          { label: t('industry'), cell: (c) => c.industry ?? <span class="muted">—</span> },
        ]}
      />
      <MoreLine pages={pages} testId="customers-count" />
    </section>
  );
}

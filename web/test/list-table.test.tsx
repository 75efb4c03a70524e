/** The list table of every page: the header and cells from the columns, phone labels, rows per group, empty lists. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { ListTable, type Column } from '../src/components/list-table';

interface Row {
  id: string;
  group: string;
  n: number;
}

const rows: Row[] = [
  { id: 'a', group: 'g1', n: 1 },
  { id: 'b', group: 'g1', n: 2 },
  { id: 'c', group: 'g2', n: 3 },
];

const clicked: string[] = [];
const columns: Array<Column<Row>> = [
  { label: 'Id', cell: (r) => r.id, attrs: { class: 'mono' } },
  { label: 'Count', cell: (r, i) => `${r.n} at ${i}`, attrs: { 'data-testid': 'count' } },
  { cell: (r, i) => i === 0 && <button type="button">{r.id}</button>, attrs: { class: 'row-actions' } },
];
const row = (r: Row) => ({ key: r.id, class: r.n > 2 ? 'overdue' : '', 'data-row': r.id, onClick: () => clicked.push(r.id) });

let host: HTMLDivElement;

beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
  clicked.length = 0;
});

afterEach(() => {
  render(null, host);
  host.remove();
});

async function mount(node: preact.ComponentChild) {
  await act(() => render(node, host));
}

test('a list has a header from the columns and a row per item with the row and cell attributes', async () => {
  await mount(<ListTable kind="tokens" attrs={{ 'data-of': 'amy' }} items={rows} row={row} columns={columns} />);
  const table = host.querySelector('table')!;
  expect(table.className).toBe('list tokens');
  expect(table.getAttribute('data-of')).toBe('amy');
  expect([...table.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['Id', 'Count', '']);
  expect(table.querySelectorAll('tbody')).toHaveLength(1);
  const trs = [...table.querySelectorAll<HTMLTableRowElement>('tbody tr')];
  expect(trs.map((tr) => [tr.getAttribute('data-row'), tr.className])).toEqual([
    ['a', ''],
    ['b', ''],
    ['c', 'overdue'],
  ]);
  expect(trs[1]!.innerHTML).toBe('<td class="mono">b</td><td data-testid="count">2 at 1</td><td class="row-actions"></td>');
  expect(trs[0]!.querySelector('.row-actions button')!.textContent).toBe('a');
  expect(table.querySelector('td[data-label]')).toBeNull();
  trs[2]!.click();
  expect(clicked).toEqual(['c']);
});

test('a stacked list labels each cell with its column for phones, except a column without a header', async () => {
  await mount(<ListTable kind="history" stack items={rows} row={row} columns={columns} />);
  expect(host.querySelector('table')!.className).toBe('list stack history');
  const cells = [...host.querySelectorAll('tbody tr')[0]!.querySelectorAll('td')];
  expect(cells.map((td) => td.getAttribute('data-label'))).toEqual(['Id', 'Count', null]);
  // A labelled cell's value is one element, beside the label in the card's two columns; an unlabelled one is as given.
  expect(cells.map((td) => td.firstElementChild?.className ?? null)).toEqual([
    'cell-value',
    'cell-value',
    expect.not.stringMatching('cell-value'),
  ]);
  expect(cells[0]!.querySelector('.cell-value')!.textContent).toBe(cells[0]!.textContent);
  await mount(<ListTable kind="history" items={rows} row={row} columns={columns} />);
  expect(host.querySelectorAll('.cell-value')).toHaveLength(0);
});

test('rows after an item follow its own row, and groups get one body each with rows of their own after them', async () => {
  await mount(<ListTable items={rows} row={row} columns={columns} after={(r) => r.id === 'b' && <tr class="detail" />} />);
  expect([...host.querySelectorAll('tbody tr')].map((tr) => tr.getAttribute('data-row') ?? tr.className)).toEqual([
    'a',
    'b',
    'detail',
    'c',
  ]);
  await mount(
    <ListTable
      row={row}
      columns={columns}
      groups={['g1', 'g2'].map((g) => ({
        key: g,
        items: rows.filter((r) => r.group === g),
        attrs: { 'data-group': g },
        after: g === 'g1' && <tr class="outcome" />,
      }))}
    />,
  );
  const bodies = [...host.querySelectorAll('tbody')];
  expect(
    bodies.map((b) => [b.getAttribute('data-group'), [...b.children].map((tr) => tr.getAttribute('data-row') ?? tr.className)]),
  ).toEqual([
    ['g1', ['a', 'b', 'outcome']],
    ['g2', ['c']],
  ]);
  // The index a cell gets counts within its group: each group's first row has the button.
  expect(bodies.map((b) => b.querySelectorAll('.row-actions button').length)).toEqual([1, 1]);
});

test('an empty list shows what it is given instead of a table, and a table with no rows when given nothing', async () => {
  await mount(<ListTable items={[]} row={row} columns={columns} empty={<p class="muted">none</p>} />);
  expect(host.querySelector('table')).toBeNull();
  expect(host.querySelector('p.muted')!.textContent).toBe('none');
  await mount(<ListTable items={[]} row={row} columns={columns} />);
  expect(host.querySelectorAll('table thead th')).toHaveLength(3);
  expect(host.querySelectorAll('tbody tr')).toHaveLength(0);
});

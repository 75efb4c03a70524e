/** The UI's lists: a table described by its columns as data, the same markup on every page. */
import { Fragment, type ComponentChildren } from 'preact';
import { Show, type Loaded } from '../ui';

/** Attributes of a table, a row group, a row or a cell: its class, the `data-*` values tests and styles read, a click. */
export type Attrs = { class?: string; onClick?: () => void } & { [data: `data-${string}`]: string | number };

/** One column: its header, what a row shows in it, and the cell's own attributes. */
export interface Column<T> {
  /** The header; none for a column of row buttons (which gets no label on phones either). */
  label?: string;
  cell: (item: T, index: number) => ComponentChildren;
  /** The cell's class or other attributes, the same on every row (`mono`, `row-actions`). */
  attrs?: Attrs;
}

/** Rows that share a `<tbody>`, with the attributes of that group and rows of its own after them. */
export interface RowGroup<T> {
  key: string;
  items: T[];
  attrs?: Attrs;
  after?: ComponentChildren;
}

export interface ListOptions<T> {
  /** Names after `list`: the kind of list, which the styles and tests select it by. */
  kind?: string;
  /**
   * On phones, one card per row with each value beside its column's name (`list stack`); the value
   * of a labelled cell is wrapped in a `span.cell-value`, so that a long name and a long value each
   * keep to their own column.
   */
  stack?: boolean;
  columns: Array<Column<T>>;
  /** An item's row: its key among the rows and its attributes. */
  row: (item: T, index: number) => Attrs & { key: string | number };
  /** Rows shown after an item's own (an opened detail), or nothing. */
  after?: (item: T) => ComponentChildren;
  /** Shown instead of the table when there are no items. */
  empty?: ComponentChildren;
  attrs?: Attrs;
}

export type ListTableProps<T> = ListOptions<T> & ({ items: T[] } | { groups: Array<RowGroup<T>> });

/** A `table.list`: a header row from the columns, then a row per item (in one body, or one body per group). */
export function ListTable<T>(props: ListTableProps<T>) {
  const { kind, stack = false, columns, row, after, empty, attrs } = props;
  const groups: Array<RowGroup<T>> = 'groups' in props ? props.groups : [{ key: '', items: props.items }];
  if (empty !== undefined && groups.every((g) => g.items.length === 0)) return <>{empty}</>;
  const rowOf = (item: T, index: number) => {
    const { key, ...rowAttrs } = row(item, index);
    return (
      <Fragment key={key}>
        <tr {...rowAttrs}>
          {columns.map((c, n) => (
            <td key={n} {...(stack && c.label !== undefined && { 'data-label': c.label })} {...c.attrs}>
              {stack && c.label !== undefined ? <span class="cell-value">{c.cell(item, index)}</span> : c.cell(item, index)}
            </td>
          ))}
        </tr>
        {after?.(item)}
      </Fragment>
    );
  };
  return (
    <table class={['list', stack && 'stack', kind].filter(Boolean).join(' ')} {...attrs}>
      <thead>
        <tr>
          {columns.map((c, n) => (
            <th key={n}>{c.label}</th>
          ))}
        </tr>
      </thead>
      {groups.map((g) => (
        <tbody key={g.key} {...g.attrs}>
          {g.items.map(rowOf)}
          {g.after}
        </tbody>
      ))}
    </table>
  );
}

/** The list of what a load produced, once it has: until then its error or a loading line. */
export function LoadedList<T>({ load, ...options }: ListOptions<T> & { load: Loaded<T[]> }) {
  return <Show load={load}>{(items) => <ListTable {...options} items={items} />}</Show>;
}

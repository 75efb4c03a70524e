import { csvTable } from '../../engine/csv';

test('CSV: RFC 4180 quoting, formulas neutralised, CRLF line ends, empty for null', () => {
  const text = csvTable(
    ['a', 'b', 'c'],
    [
      { a: 'say "hi", then go', b: '=1+1', c: null },
      { a: 'two\nlines', b: 3.5, c: true },
    ],
  );
  expect(text).toBe('a,b,c\r\n"say ""hi"", then go","\'=1+1",\r\n"two\nlines",3.5,true\r\n');
});

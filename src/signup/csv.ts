import { SignupError } from './errors.js';
import { drain, drainAsync, LINES_PER_BATCH, MAX_CONTACTS_BYTES, type ContactCard } from './vcard.js';

/**
 * Contacts exported as CSV (Google, Outlook, Apple, or hand-made): RFC 4180 quoting (quoted fields
 * with commas, doubled quotes and line breaks), comma or semicolon separated. Columns are chosen by
 * header (anything naming e-mail, phone/mobile/tel, or name); several values in one cell may be
 * separated by ` ::: ` (Google). Without a recognisable header, every cell with an @ is an email
 * address and every cell of digits is a phone number.
 */
export function parseCsv(text: string): ContactCard[] {
  return drain(csvSteps(text));
}

/** The same, yielding to the event loop between batches of rows, so a daemon keeps answering meanwhile. */
export function parseCsvAsync(text: string): Promise<ContactCard[]> {
  return drainAsync(csvSteps(text));
}

function* csvSteps(text: string): Generator<void, ContactCard[]> {
  if (text.length > MAX_CONTACTS_BYTES) throw SignupError.BAD_CONTACTS('the file is larger than 20 MiB');
  const body = text.replace(/^\uFEFF/, '');
  const rows = yield* rowSteps(body, guessSeparator(body));
  if (rows.length === 0) return [];
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  const emailCols = cols(header, /e-?mail/);
  const phoneCols = cols(header, /phone|mobile|tel|handy|cell/);
  const nameCols = cols(header, /name/).filter((i) => !emailCols.includes(i) && !phoneCols.includes(i));
  const hasHeader = emailCols.length + phoneCols.length > 0;
  const cards: ContactCard[] = [];
  for (const [n, row] of (hasHeader ? rows.slice(1) : rows).entries()) {
    if (n % LINES_PER_BATCH === LINES_PER_BATCH - 1) yield;
    const card: ContactCard = { emails: [], phones: [] };
    if (hasHeader) {
      const name = nameCols.map((i) => row[i]?.trim() ?? '').filter(Boolean)[0];
      if (name) card.name = name;
      for (const i of emailCols) card.emails.push(...values(row[i]));
      for (const i of phoneCols) card.phones.push(...values(row[i]));
    } else {
      for (const cell of row) {
        for (const v of values(cell)) {
          if (v.includes('@')) card.emails.push(v);
          else if (/^[+0-9()\-.\s/]{6,}$/.test(v) && /[0-9]{3}/.test(v)) card.phones.push(v);
          else if (!card.name) card.name = v;
        }
      }
    }
    if (card.emails.length + card.phones.length > 0 || card.name) cards.push(card);
  }
  return cards;
}

const cols = (header: string[], re: RegExp) => header.flatMap((h, i) => (re.test(h) && !/type|label/.test(h) ? [i] : []));
const values = (cell: string | undefined) =>
  (cell ?? '')
    .split(':::')
    .map((v) => v.trim())
    .filter(Boolean);

function guessSeparator(text: string): ',' | ';' {
  const first = text.slice(0, text.indexOf('\n') >>> 0);
  return (first.match(/;/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** RFC 4180 rows; a quote left open at the end of the file is an error. */
export function splitRows(text: string, sep = ','): string[][] {
  return drain(rowSteps(text, sep));
}

function* rowSteps(text: string, sep: string): Generator<void, string[][]> {
  const rows: string[][] = [];
  let lines = 0;
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      field = '';
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      if (++lines % LINES_PER_BATCH === 0) yield;
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else field += c;
    i++;
  }
  if (quoted) throw SignupError.BAD_CONTACTS('a quoted field is never closed');
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

/** Writes rows as RFC 4180 CSV (tests; exporting matches). */
export function formatCsv(rows: string[][]): string {
  const q = (f: string) => (/[",\r\n;]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f);
  return rows.map((r) => r.map(q).join(',')).join('\r\n') + '\r\n';
}

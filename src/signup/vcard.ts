import { SignupError } from './errors.js';

/** One person from an address book: a display name, and every address and number they have. */
export interface ContactCard {
  name?: string;
  emails: string[];
  phones: string[];
}

export const MAX_CONTACTS_BYTES = 20 * 1024 * 1024;

/**
 * vCard 2.1, 3.0 and 4.0 (RFC 6350), the parts contact discovery needs: FN (or N), every EMAIL and
 * every TEL (also as a `tel:` URI), with folded lines, property groups (`item1.EMAIL`), parameters
 * and backslash escapes. Unknown properties are skipped; a card left open at the end still counts.
 */
export function parseVcards(text: string): ContactCard[] {
  if (text.length > MAX_CONTACTS_BYTES) throw SignupError.BAD_CONTACTS('the file is larger than 20 MiB');
  const lines = unfold(text);
  const cards: ContactCard[] = [];
  let card: (ContactCard & { n?: string }) | null = null;
  let sawBegin = false;
  const close = () => {
    if (!card) return;
    const name = card.name ?? card.n;
    cards.push({ ...(name ? { name } : {}), emails: card.emails, phones: card.phones });
    card = null;
  };
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const head = line.slice(0, colon);
    const value = line.slice(colon + 1);
    const [nameWithGroup = '', ...params] = head.split(';');
    const prop = nameWithGroup.slice(nameWithGroup.lastIndexOf('.') + 1).toUpperCase();
    if (prop === 'BEGIN' && value.trim().toUpperCase() === 'VCARD') {
      close();
      sawBegin = true;
      card = { emails: [], phones: [] };
      continue;
    }
    if (prop === 'END' && value.trim().toUpperCase() === 'VCARD') {
      close();
      continue;
    }
    if (!card) continue;
    const c: ContactCard & { n?: string } = card;
    const qp = params.some((p) => /^(ENCODING=)?QUOTED-PRINTABLE$/i.test(p));
    const v = unescape(qp ? quotedPrintable(value) : value).trim();
    if (v === '') continue;
    if (prop === 'FN') c.name = v;
    else if (prop === 'N') c.n = v.split(';').slice(0, 2).reverse().filter(Boolean).join(' ').trim() || undefined;
    else if (prop === 'EMAIL') c.emails.push(v.replace(/^mailto:/i, ''));
    else if (prop === 'TEL') c.phones.push(v.replace(/^tel:/i, '').split(';')[0]!);
  }
  close();
  if (!sawBegin) throw SignupError.BAD_CONTACTS('no BEGIN:VCARD found');
  return cards;
}

/** RFC 6350 §3.2: a line break followed by one space or tab continues the previous line. */
function unfold(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').replace(/=\n/g, (m, offset: number, s: string) => (isQpLine(s, offset) ? '' : m)).replace(/\n[ \t]/g, '').split('\n');
}

/** A vCard 2.1 quoted-printable soft line break ("=" at the end of a line) inside a QP property. */
function isQpLine(s: string, offset: number): boolean {
  const start = s.lastIndexOf('\n', offset) + 1;
  return /QUOTED-PRINTABLE/i.test(s.slice(start, s.indexOf(':', start) >>> 0));
}

function quotedPrintable(v: string): string {
  return Buffer.from(v.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

function unescape(v: string): string {
  return v.replace(/\\([\\,;nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Writes cards as vCard 4.0 (used by tests and by anyone exporting matches). */
export function formatVcards(cards: ContactCard[]): string {
  const esc = (s: string) => s.replace(/[\\,;]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
  const out: string[] = [];
  for (const c of cards) {
    out.push('BEGIN:VCARD', 'VERSION:4.0');
    if (c.name) out.push(fold(`FN:${esc(c.name)}`));
    for (const e of c.emails) out.push(fold(`EMAIL;TYPE=home:${esc(e)}`));
    for (const p of c.phones) out.push(fold(`TEL;VALUE=uri:tel:${p}`));
    out.push('END:VCARD');
  }
  return out.join('\r\n') + '\r\n';
}

/** Folds a line at 75 characters (RFC 6350 §3.2), never inside a UTF-16 surrogate pair. */
function fold(line: string): string {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > 75) {
    let cut = 75;
    if (/[\uD800-\uDBFF]/.test(rest[cut - 1]!)) cut--;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts.join('\r\n ');
}

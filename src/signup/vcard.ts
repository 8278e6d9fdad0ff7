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
 * Linear in the size of the file.
 */
export function parseVcards(text: string): ContactCard[] {
  return drain(vcardSteps(text));
}

/** The same, yielding to the event loop between batches of lines, so a daemon keeps answering meanwhile. */
export function parseVcardsAsync(text: string): Promise<ContactCard[]> {
  return drainAsync(vcardSteps(text));
}

/** Lines handled between two chances for other work to run. */
export const LINES_PER_BATCH = 2000;

/** Runs a parser's steps to the end at once. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs a parser's steps, letting the event loop run between them. */
export async function drainAsync<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function* vcardSteps(text: string): Generator<void, ContactCard[]> {
  if (text.length > MAX_CONTACTS_BYTES) throw SignupError.BAD_CONTACTS('the file is larger than 20 MiB');
  const lines = yield* unfold(text);
  const cards: ContactCard[] = [];
  let card: (ContactCard & { n?: string }) | null = null;
  let sawBegin = false;
  const close = () => {
    if (!card) return;
    const name = card.name ?? card.n;
    cards.push({ ...(name ? { name } : {}), emails: card.emails, phones: card.phones });
    card = null;
  };
  for (let i = 0; i < lines.length; i++) {
    if (i % LINES_PER_BATCH === LINES_PER_BATCH - 1) yield;
    const line = lines[i]!;
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

/**
 * Logical lines, in one pass over the physical ones: RFC 6350 §3.2 folding (a line break followed
 * by one space or tab continues the previous line), and vCard 2.1 quoted-printable soft line
 * breaks ("=" at the end of a line of a property whose parameters say QUOTED-PRINTABLE). Each
 * logical line is built from a list of parts joined once, never by growing a string.
 */
function* unfold(text: string): Generator<void, string[]> {
  const physical = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  let parts: string[] = [];
  let qp = false; // the current logical line is a quoted-printable property
  let headKnown = false; // its first colon has been seen, so `qp` is decided
  let head = ''; // what came before that colon, while it is not known yet
  let soft = false; // the previous physical line ended with a QP soft break
  const flush = () => {
    if (parts.length) out.push(parts.length === 1 ? parts[0]! : parts.join(''));
    parts = [];
  };
  for (let i = 0; i < physical.length; i++) {
    if (i % LINES_PER_BATCH === LINES_PER_BATCH - 1) yield;
    let line = physical[i]!;
    if (soft) {
      // continues the QP value as it is
    } else if ((line[0] === ' ' || line[0] === '\t') && parts.length) {
      line = line.slice(1);
    } else {
      flush();
      qp = false;
      headKnown = false;
      head = '';
    }
    if (!headKnown) {
      const colon = line.indexOf(':');
      if (colon >= 0) {
        headKnown = true;
        qp = /QUOTED-PRINTABLE/i.test(head + line.slice(0, colon));
      } else head += line;
    }
    soft = qp && line.endsWith('=');
    parts.push(soft ? line.slice(0, -1) : line);
  }
  flush();
  return out;
}

function quotedPrintable(v: string): string {
  return Buffer.from(
    v.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
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
  let at = 0;
  while (line.length - at > 75) {
    let cut = at + 75;
    if (/[\uD800-\uDBFF]/.test(line[cut - 1]!)) cut--;
    parts.push(line.slice(at, cut));
    at = cut;
  }
  parts.push(line.slice(at));
  return parts.join('\r\n ');
}

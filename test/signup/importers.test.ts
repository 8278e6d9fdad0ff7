import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCsv, formatVcards, parseContactsAsync, parseCsv, parseVcards, type ContactCard } from '../../src/signup/index.js';

const email = fc.tuple(fc.stringMatching(/^[a-z0-9._+-]{1,12}$/), fc.stringMatching(/^[a-z0-9-]{1,12}\.[a-z]{2,6}$/)).map(([l, d]) => `${l}@${d}`);
const phone = fc.stringMatching(/^\+[1-9][0-9]{6,14}$/);
const name = fc
  .string({ minLength: 1, maxLength: 120 })
  .map((s) => s.replace(/[\r\n]/g, ' ').trim())
  .filter(Boolean);
const card: fc.Arbitrary<ContactCard> = fc.record({ name, emails: fc.array(email, { maxLength: 3 }), phones: fc.array(phone, { maxLength: 3 }) });
const eol = fc.constantFrom('\r\n', '\n', '\r');

/** Folds every line of a vCard at the given cut points (RFC 6350 §3.2: a break, then a space or tab). */
function fold(vcf: string, cuts: number[], breaks: string[], pads: string[]): string {
  return vcf
    .split('\r\n')
    .map((line, i) => {
      const at = [...new Set(cuts.map((c) => (c + i) % Math.max(1, line.length)).filter((c) => c > 0))].sort((a, b) => a - b);
      const parts = at.map((c, k) => line.slice(k ? at[k - 1] : 0, c)).concat(line.slice(at.at(-1) ?? 0));
      return parts.join(`${breaks[i % breaks.length]}${pads[i % pads.length]}`);
    })
    .join(breaks[0]!);
}

/** A quoted-printable vCard 2.1 property with soft line breaks ("=" then a line break) at the cut points, never inside =XX. */
function qpProperty(prop: string, value: string, cuts: number[], nl: string): string {
  // Escaped as a vCard writer does (\\, \, and \;) before the quoted-printable encoding.
  const escaped = value.replace(/[\\,;]/g, (c) => `\\${c}`);
  const encoded = [...Buffer.from(escaped, 'utf8')].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
  const at = new Set(cuts.map((c) => c % Math.max(1, encoded.length)));
  return `${prop};CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:` + encoded.map((e, i) => (at.has(i) && i > 0 ? `=${nl}${e}` : e)).join('');
}

describe('address book importers', () => {
  it('parse of a folded vCard == parse of the unfolded one, whatever the cut points and line endings', () => {
    fc.assert(
      fc.property(
        fc.array(card, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(200), { maxLength: 6 }),
        fc.array(eol, { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom(' ', '\t'), { minLength: 1, maxLength: 2 }),
        (cards, cuts, breaks, pads) => {
          const flat = formatVcards(cards).replace(/\r\n /g, '');
          expect(parseVcards(fold(flat, cuts, breaks, pads))).toEqual(parseVcards(flat));
          expect(parseVcards(flat)).toEqual(cards);
        },
      ),
    );
  });

  it('parse of a quoted-printable value with soft line breaks == parse of the unbroken value', () => {
    fc.assert(
      fc.property(name, email, fc.array(fc.nat(400), { maxLength: 12 }), eol, (who, mail, cuts, nl) => {
        const card = (fn: string) => ['BEGIN:VCARD', 'VERSION:2.1', fn, `EMAIL:${mail}`, 'END:VCARD'].join(nl);
        const broken = parseVcards(card(qpProperty('FN', who, cuts, nl)));
        expect(broken).toEqual(parseVcards(card(qpProperty('FN', who, [], nl))));
        expect(broken).toEqual([{ name: who.trim(), emails: [mail], phones: [] }]);
      }),
    );
  });

  it('parse of CSV == the rows it was written from', () => {
    fc.assert(
      fc.property(fc.array(card, { minLength: 1, maxLength: 8 }), (cards) => {
        const csv = formatCsv([['Name', 'E-mail', 'Phone'], ...cards.map((c) => [c.name!, c.emails.join(' ::: '), c.phones.join(' ::: ')])]);
        const expected = cards
          .filter((c) => c.name!.trim() || c.emails.length || c.phones.length)
          .map((c) => ({ ...(c.name!.trim() ? { name: c.name!.trim() } : {}), emails: c.emails, phones: c.phones }));
        expect(parseCsv(csv)).toEqual(expected);
      }),
    );
  });

  it('an import of a big address book lets the event loop run while it parses', async () => {
    const cards = Array.from({ length: 20_000 }, (_, i) => ({ name: `Person ${i}`, emails: [`p${i}@example.org`], phones: [`+4179${1_000_000 + i}`] }));
    for (const [format, text] of [
      ['vcf', formatVcards(cards)],
      ['csv', formatCsv([['Name', 'Email', 'Phone'], ...cards.map((c) => [c.name, c.emails[0]!, c.phones[0]!])])],
    ] as const) {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 0);
      let parsed: ContactCard[];
      try {
        parsed = await parseContactsAsync(text, format);
      } finally {
        clearInterval(ticker);
      }
      expect(parsed, format).toEqual(cards);
      expect(ticks, `${format}: timers ran during the parse`).toBeGreaterThan(0);
    }
  });
});

import { parseCsv } from './csv.js';
import { parseVcards, type ContactCard } from './vcard.js';

export type ContactsFormat = 'vcf' | 'csv';

/** Parses an address book: vCard when it says BEGIN:VCARD (or `format` is vcf), CSV otherwise. */
export function parseContacts(text: string, format?: ContactsFormat): ContactCard[] {
  const f = format ?? (/^\s*BEGIN:VCARD/im.test(text.slice(0, 4096)) ? 'vcf' : 'csv');
  return f === 'vcf' ? parseVcards(text) : parseCsv(text);
}

export type { ContactCard };

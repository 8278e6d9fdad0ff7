import { parseCsv, parseCsvAsync } from './csv.js';
import { parseVcards, parseVcardsAsync, type ContactCard } from './vcard.js';

export type ContactsFormat = 'vcf' | 'csv';

/** Parses an address book: vCard when it says BEGIN:VCARD (or `format` is vcf), CSV otherwise. */
export function parseContacts(text: string, format?: ContactsFormat): ContactCard[] {
  return formatOf(text, format) === 'vcf' ? parseVcards(text) : parseCsv(text);
}

/** The same, in batches between which the event loop runs (what a daemon's import uses). */
export function parseContactsAsync(text: string, format?: ContactsFormat): Promise<ContactCard[]> {
  return formatOf(text, format) === 'vcf' ? parseVcardsAsync(text) : parseCsvAsync(text);
}

function formatOf(text: string, format?: ContactsFormat): ContactsFormat {
  return format ?? (/^\s*BEGIN:VCARD/im.test(text.slice(0, 4096)) ? 'vcf' : 'csv');
}

export type { ContactCard };

import { domainToASCII } from 'node:url';
import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js/max';
import { SignupError } from './errors.js';

/** What a person can be found by: an email address or a phone number, in one canonical form. */
export type IdentifierKind = 'email' | 'phone';
export const KINDS: readonly IdentifierKind[] = ['email', 'phone'];

export interface Identifier {
  readonly kind: IdentifierKind;
  /** Lower-cased email address, or E.164 phone number (+41446681800). */
  readonly value: string;
}

export const MAX_EMAIL_LENGTH = 254;
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * An email address as Parley compares it: trimmed, NFC, lower-cased whole (the local part is
 * case-sensitive in theory, never in practice). Dots and `+tags` are kept: they mean different
 * mailboxes at some providers. Internationalised domains are turned into their ASCII (xn--) form,
 * so `zoë@münchen.de` and `zoë@xn--mnchen-3ya.de` are one person; the local part must be ASCII.
 */
export function normaliseEmail(input: string): Identifier {
  const s = input.normalize('NFC').trim().toLowerCase();
  if (s.length > MAX_EMAIL_LENGTH) throw SignupError.BAD_EMAIL('too long');
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) throw SignupError.BAD_EMAIL('it needs one @ with text on both sides');
  const local = s.slice(0, at);
  const domain = /^[\x00-\x7f]*$/.test(s.slice(at + 1)) ? s.slice(at + 1) : domainToASCII(s.slice(at + 1));
  if (local.length > 64 || !LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw SignupError.BAD_EMAIL('the part before @ has characters an address cannot have');
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) throw SignupError.BAD_EMAIL('the domain is not valid');
  return { kind: 'email', value: `${local}@${domain}` };
}

type PhoneLib = typeof import('libphonenumber-js/max');
let phoneLib: PhoneLib | null = null;
/** The phone metadata (~12 MiB resident) loads at the first phone number, not with every `parley run`. */
const phone = (): PhoneLib => (phoneLib ??= createRequire(import.meta.url)('libphonenumber-js/max') as PhoneLib);

/** A phone number in E.164, from international form or from national form with `region`. */
export function normalisePhone(input: string, region?: string): Identifier {
  if (region !== undefined && !/^[A-Z]{2}$/.test(region.toUpperCase())) throw SignupError.BAD_REGION();
  if (input.length > 64) throw SignupError.BAD_PHONE('too long');
  const trimmed = input.trim();
  if (!/^[+0-9()\-.\s/]+$/.test(trimmed) && !/^tel:/i.test(trimmed)) throw SignupError.BAD_PHONE('it has characters a number cannot have');
  const parsed = phone().parsePhoneNumberFromString(
    trimmed.replace(/^tel:/i, ''),
    region ? { defaultCountry: region.toUpperCase() as CountryCode } : undefined,
  );
  if (!parsed) throw SignupError.BAD_PHONE(trimmed.startsWith('+') || region ? 'it could not be parsed' : 'it is in national form and no region was given');
  if (!parsed.isValid()) throw SignupError.BAD_PHONE('no such number exists in that country');
  return { kind: 'phone', value: parsed.number };
}

export function normalise(kind: IdentifierKind, input: string, region?: string): Identifier {
  return kind === 'email' ? normaliseEmail(input) : normalisePhone(input, region);
}

/** Guesses the kind: anything with an @ is an email address, anything else a phone number. */
export function normaliseAny(input: string, region?: string): Identifier {
  return input.includes('@') ? normaliseEmail(input) : normalisePhone(input, region);
}

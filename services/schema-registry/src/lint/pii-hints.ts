import type { FieldInfo } from '../formats/schema-format.ts';
import { snakeWords } from './snake-words.ts';

/**
 * Words in a field's name that suggest personal data. Matched on snake/camel-case word boundaries, so
 * `email` and `billing_email` match and `emailed_count`... also matches: erring towards asking for a tag.
 */
const NAME_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/(^|_)e?mail(_|$)|email/, 'an email address'],
  [/phone|mobile|msisdn|(^|_)fax(_|$)/, 'a phone number'],
  [/(^|_)(first|last|full|given|family|middle|sur|display|legal|user)?_?name(_|$)/, 'a name'],
  [/address|street|(^|_)city(_|$)|postcode|postal|(^|_)zip(_|$)/, 'an address'],
  [/(^|_)ip(_|$)|ip_?addr|ipv[46]/, 'an IP address'],
  [/birth|(^|_)dob(_|$)/, 'a birth date'],
  [
    /ssn|social_security|national_id|passport|tax_id|(^|_)nin(_|$)|driver_?licen[cs]e/,
    'a national identifier',
  ],
  [/card_?number|(^|_)pan(_|$)|(^|_)cvv|iban|account_number/, 'a card or account number'],
];

/**
 * Phrases in a field's doc (Avro `doc`, JSON Schema `description`, a Protobuf comment) that say it holds
 * personal data: `contact` documented as "customer email address". Docs are prose, so these are whole
 * words and phrases, narrower than the name patterns ("product name" or "emails sent" are not personal).
 */
const DOC_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\be ?mail\b/, 'an email address'],
  [/\b(tele)?phone( number)?\b|\bmobile (number|phone)\b|\bmsisdn\b|\bfax number\b/, 'a phone number'],
  [
    /\b(first|last|full|given|family|middle|maiden|legal|display) name\b|\bsurname\b|\b(customer|user|person|employee|patient|contact|cardholder|member|client|subscriber)( s)? (full |legal )?name\b|\bname of the (customer|user|person|employee|patient|contact|cardholder|member|client|subscriber)\b/,
    'a name',
  ],
  [
    /\b(postal|street|home|billing|shipping|mailing|delivery|residential) address\b|\bpost ?code\b|\b(postal|zip) code\b/,
    'an address',
  ],
  [/\bip (address|addr)\b|\bipv[46]\b/, 'an IP address'],
  [/\bdate of birth\b|\bbirth ?date\b|\bbirthday\b|\bdob\b/, 'a birth date'],
  [
    /\bsocial security\b|\bssn\b|\bpassport\b|\bnational (id|identity|identification|insurance)\b|\btax (id|identification)\b|\bdriv(er s|ers|ing) licen[cs]e\b/,
    'a national identifier',
  ],
  [
    /\b(credit|debit|payment) card\b|\bcard number\b|\biban\b|\b(bank )?account number\b|\bcvv\b/,
    'a card or account number',
  ],
];

/** Tags that say a field was looked at: personal (PII and the like) or explicitly not. */
const PII_TAGS = new Set(['PII', 'PERSONAL', 'SENSITIVE', 'PCI', 'PHI', 'NOT_PII']);

export interface PiiHint {
  /** What the field looks like it holds: "an email address". */
  what: string;
  /** Whether its name or its doc says so. */
  from: 'name' | 'doc';
}

/** Why a field looks like personal data, from its name first, then its doc; null when it does not. */
export function piiHint(field: Pick<FieldInfo, 'name' | 'doc'>): PiiHint | null {
  const name = snakeWords(field.name);
  for (const [pattern, what] of NAME_PATTERNS) if (pattern.test(name)) return { what, from: 'name' };
  if (field.doc) {
    const prose = snakeWords(field.doc).replace(/_/g, ' ');
    for (const [pattern, what] of DOC_PATTERNS) if (pattern.test(prose)) return { what, from: 'doc' };
  }
  return null;
}

export const hasPiiTag = (tags: readonly string[]): boolean =>
  tags.some((t) => PII_TAGS.has(t.toUpperCase()));

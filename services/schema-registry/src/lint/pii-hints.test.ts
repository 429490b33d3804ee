import { describe, expect, it } from 'vitest';
import { piiHint } from './pii-hints.ts';

const fromDoc = (doc: string) => piiHint({ name: 'value', doc });

describe('piiHint', () => {
  it('reads the name first, in either naming convention', () => {
    expect(piiHint({ name: 'billingEmail' })).toEqual({ what: 'an email address', from: 'name' });
    expect(piiHint({ name: 'date_of_birth', doc: 'Customer email address' })).toEqual({
      what: 'a birth date',
      from: 'name',
    });
    expect(piiHint({ name: 'annual_revenue', doc: 'ARR in USD' })).toBeNull();
  });

  it('reads docs for the kinds of personal data, as words and phrases', () => {
    expect(fromDoc('Customer email address')?.what).toBe('an email address');
    expect(fromDoc('E-mail of the account owner')?.what).toBe('an email address');
    expect(fromDoc('Telephone number')?.what).toBe('a phone number');
    expect(fromDoc("The user's name as they entered it.")?.what).toBe('a name');
    expect(fromDoc('Legal name.')?.what).toBe('a name');
    expect(fromDoc('Shipping address, one line')?.what).toBe('an address');
    expect(fromDoc('Client IP address')?.what).toBe('an IP address');
    expect(fromDoc('Birthdate (ISO 8601)')?.what).toBe('a birth date');
    expect(fromDoc('Passport or national ID number')?.what).toBe('a national identifier');
    expect(fromDoc('IBAN of the payout account')?.what).toBe('a card or account number');
  });

  it('leaves prose that only shares a word with personal data alone', () => {
    for (const doc of [
      'Product name shown in the shop',
      'How many emails were sent',
      'Name of the table it was copied from',
      'Mobile app version',
      'Industry, e.g. Healthcare.',
      'trial, active or churned.',
    ])
      expect(fromDoc(doc), doc).toBeNull();
  });
});

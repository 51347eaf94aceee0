/**
 * PII redaction: replaces e-mail addresses, phone numbers and ID numbers with
 * placeholders. Patterns are conservative (whole tokens, enough digits) so years,
 * prices and math are left alone; this is a filter for obvious PII, not a guarantee.
 */
import { z } from 'zod';
import { defineOperator, mapStrings } from '../operator.js';

const emailPattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Chinese mobile (11 digits, 1[3-9]…) or international/NANP numbers with separators (≥ 10 digits). */
const phonePattern = /(?<![\w+])(?:\+?\d{1,3}[ .-])?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}(?!\w)|(?<!\d)1[3-9]\d{9}(?!\d)/g;
/** Chinese resident ID (17 digits + digit/X) and US SSN (ddd-dd-dddd). */
const idPattern = /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])|(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)/g;

export const piiOperator = defineOperator({
  name: 'pii',
  summary: 'redact e-mail addresses, phone numbers and ID numbers',
  params: z.strictObject({
    emails: z.boolean().default(true),
    phones: z.boolean().default(true),
    ids: z.boolean().default(true),
    emailReplacement: z.string().default('[EMAIL]'),
    phoneReplacement: z.string().default('[PHONE]'),
    idReplacement: z.string().default('[ID]'),
  }),
  create: (params, context) => mapStrings(context.kind, (text) => redactPii(text, params)),
});

export function redactPii(
  text: string,
  params: { emails: boolean; phones: boolean; ids: boolean; emailReplacement: string; phoneReplacement: string; idReplacement: string },
): string {
  let out = text;
  if (params.emails && out.includes('@')) out = out.replace(emailPattern, params.emailReplacement);
  // IDs before phones: an 18-digit ID must not be half-eaten as a phone number.
  if (params.ids) out = out.replace(idPattern, params.idReplacement);
  if (params.phones) out = out.replace(phonePattern, params.phoneReplacement);
  return out;
}

/**
 * GSM8K final-answer extraction, in order of trust:
 *  1. the dataset's own `#### n` marker (first occurrence);
 *  2. the few-shot style "The answer is n" (last occurrence, case-insensitive);
 *  3. the last number in the text.
 * The number is canonicalised (`$1,234.50` → `1234.5`) so "18", "18.00" and
 * "$18" compare equal. Returns '' when the text has no number.
 */
const number = /-?\$?\d[\d,]*(?:\.\d+)?/;

export function extractGsm8kAnswer(text: string): string {
  const marker = /####\s*([^\n]*)/.exec(text);
  if (marker) {
    const found = number.exec(marker[1]);
    if (found) return canonicalNumber(found[0]);
  }
  const phrases = [...text.matchAll(/the (?:final )?answer is[:\s]*/gi)];
  for (let i = phrases.length - 1; i >= 0; i--) {
    const after = text.slice(phrases[i].index + phrases[i][0].length).split('\n')[0];
    const found = new RegExp(`^${number.source}`).exec(after) ?? number.exec(after);
    if (found) return canonicalNumber(found[0]);
  }
  const all = [...text.matchAll(new RegExp(number.source, 'g'))];
  return all.length === 0 ? '' : canonicalNumber(all[all.length - 1][0]);
}

export function canonicalNumber(raw: string): string {
  const cleaned = raw.replace(/[$,]/g, '').replace(/\.$/, '');
  const value = Number(cleaned);
  return Number.isFinite(value) ? String(value) : cleaned;
}

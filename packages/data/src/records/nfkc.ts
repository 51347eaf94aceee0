/** NFKC that skips pure-ASCII strings (already NFKC; ICU normalisation is the slow part). */
// eslint-disable-next-line no-control-regex
const nonAscii = /[^\u0000-\u007f]/;

export function nfkc(text: string): string {
  return nonAscii.test(text) ? text.normalize('NFKC') : text;
}

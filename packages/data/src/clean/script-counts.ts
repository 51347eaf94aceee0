/**
 * Character classes for language filtering and stats. CJK = Han ideographs (incl.
 * extension A and compatibility), kana, Hangul, CJK punctuation excluded; Latin = ASCII
 * letters plus Latin-1/Extended letters. Digits, spaces and punctuation are neither.
 */
export interface ScriptCounts {
  cjk: number;
  latin: number;
  other: number;
}

export function countScripts(text: string): ScriptCounts {
  let cjk = 0;
  let latin = 0;
  let other = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      if ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) latin++;
    } else if (isCjk(code)) cjk++;
    else if (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) latin++;
    else if (code < 0xd800 || code > 0xdfff) {
      if (!isSpaceOrPunctuation(code)) other++;
    }
  }
  return { cjk, latin, other };
}

export function isCjk(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0xac00 && code <= 0xd7af) ||
    (code >= 0x2e80 && code <= 0x2fdf)
  );
}

function isSpaceOrPunctuation(code: number): boolean {
  return (code >= 0x2000 && code <= 0x206f) || (code >= 0x3000 && code <= 0x303f) || (code >= 0xff00 && code <= 0xff20) || code === 0xa0;
}

/** Share of CJK among CJK + Latin letters; 0 for text with neither. */
export function cjkRatio(text: string): number {
  const counts = countScripts(text);
  const letters = counts.cjk + counts.latin;
  return letters === 0 ? 0 : counts.cjk / letters;
}

/** Language bucket of a text, for stats: cjk (≥ 0.5), latin, or none. */
export function languageOf(text: string): 'cjk' | 'latin' | 'none' {
  const counts = countScripts(text);
  if (counts.cjk + counts.latin === 0) return 'none';
  return counts.cjk >= counts.latin ? 'cjk' : 'latin';
}

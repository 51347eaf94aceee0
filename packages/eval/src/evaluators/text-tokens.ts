/**
 * Word tokens for BLEU and ROUGE: runs of letters/digits, each CJK character on
 * its own (Chinese has no spaces), and for BLEU each punctuation mark as a token
 * (close to sacrebleu's 13a tokenizer).
 */
export function wordTokens(text: string, options: { lowercase?: boolean; punctuation?: boolean } = {}): string[] {
  const source = options.lowercase ? text.toLowerCase() : text;
  const pattern = options.punctuation ? /\p{Script=Han}|[\p{L}\p{N}]+|[\p{P}\p{S}]/gu : /\p{Script=Han}|[\p{L}\p{N}]+/gu;
  return source.match(pattern) ?? [];
}

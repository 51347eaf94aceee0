/**
 * Multiple-choice option extraction from free text (OpenCompass's
 * first_option_postprocess, simplified). Patterns are tried from the most to the
 * least explicit; the first that matches wins:
 *   "answer is (B)", "Answer: B", "答案是B", "答案：B"   → B
 *   "(B)" or "B." / "B)" / "B:" at the start of a line   → B
 *   a standalone letter anywhere ("I pick B because")     → B
 * Returns '' when nothing matches. `options` is the set of valid letters.
 */
export function extractOption(text: string, options = 'ABCD'): string {
  const set = `[${options.replace(/[^A-Za-z]/g, '')}]`;
  const patterns = [
    new RegExp(`(?:[Aa]nswer|ANSWER)\\s*(?:is|IS)?\\s*[:：]?\\s*\\(?(${set})(?![A-Za-z])`),
    new RegExp(`答案\\s*(?:是|为|：|:)\\s*[(（]?(${set})`),
    new RegExp(`[(（](${set})[)）]`),
    new RegExp(`^\\s*(${set})\\s*[.):：、]`, 'm'),
    new RegExp(`(?:^|[^A-Za-z])(${set})(?![A-Za-z])`),
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match) return match[1].toUpperCase();
  }
  return '';
}

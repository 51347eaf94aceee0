/**
 * Stop conditions: ids end generation at once (the id is not part of the output);
 * strings are searched in the decoded text, and the text is cut before the match.
 */
export interface StopMatch {
  /** Where the text is cut. */
  textEnd: number;
  stopString: string;
}

/** The earliest stop string in `text` (searching from `from`, minus the longest stop's overlap). */
export function findStopString(text: string, stopStrings: readonly string[], from = 0): StopMatch | undefined {
  let best: StopMatch | undefined;
  for (const stopString of stopStrings) {
    if (stopString === '') continue;
    const index = text.indexOf(stopString, Math.max(0, from - stopString.length + 1));
    if (index >= 0 && (!best || index < best.textEnd)) best = { textEnd: index, stopString };
  }
  return best;
}

/** How many trailing characters of `text` could still grow into a stop string (held back when streaming). */
export function pendingStopPrefix(text: string, stopStrings: readonly string[]): number {
  let longest = 0;
  for (const stopString of stopStrings) {
    for (let length = Math.min(stopString.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(stopString.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

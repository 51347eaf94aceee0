/**
 * Code from a completion: the first fenced block (```python ... ```) when the
 * model wrote markdown, else the completion as is. Truncation at the next
 * top-level statement is done by the gen inferencer's stop strings.
 */
export function extractCode(text: string): string {
  const fenced = /```(?:python|py)?[^\n]*\n([\s\S]*?)(?:```|$)/.exec(text);
  return fenced ? fenced[1] : text;
}

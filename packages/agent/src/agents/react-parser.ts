/**
 * Parser for the ReAct text protocol. Models are sloppy, so it accepts:
 * any label case, markdown bold (`**Action:**`), numbered labels (`Action 1:`),
 * `Action: tool[input]` / `tool(input)` with no Action Input line, a missing Action
 * Input (empty input), code-fenced or quoted input, JSON input followed by trailing
 * chatter (the balanced JSON prefix is kept), and text the model invented after the
 * action (a fake `Observation:` and everything below it is ignored). Whichever of
 * Action / Final Answer comes first wins.
 */
export type ReActParse =
  | { kind: 'action'; thought: string; tool: string; input: string }
  | { kind: 'final'; thought: string; answer: string }
  | { kind: 'invalid'; thought: string; problem: string };

type Label = 'thought' | 'action' | 'action input' | 'final answer' | 'observation';

interface Segment {
  label: Label;
  content: string;
}

const labelPattern = /^[ \t>*_-]*(thought|action[ _]input|action|final[ _]answer|observation)[ \t]*\d*[ \t]*[*_]*[ \t]*:[*_]*[ \t]*/gim;

function segments(text: string): { preamble: string; parts: Segment[] } {
  const matches = [...text.matchAll(labelPattern)];
  const preamble = text.slice(0, matches[0]?.index ?? text.length).trim();
  const parts = matches.map((match, index) => {
    const start = match.index + match[0].length;
    const end = matches[index + 1]?.index ?? text.length;
    return { label: match[1].toLowerCase().replace('_', ' ') as Label, content: text.slice(start, end).trim() };
  });
  return { preamble, parts };
}

export function parseReAct(text: string): ReActParse {
  const { preamble, parts } = segments(text);
  const thought = parts.find((part) => part.label === 'thought')?.content ?? preamble;
  const decisive = parts.findIndex((part) => part.label === 'action' || part.label === 'final answer');
  if (decisive < 0) {
    return { kind: 'invalid', thought, problem: 'the reply has neither an "Action:" line nor a "Final Answer:" line' };
  }
  const part = parts[decisive];
  if (part.label === 'final answer') return { kind: 'final', thought, answer: part.content };
  const actionLine = part.content.split('\n')[0].trim();
  const inline = /^[`"'[]*([A-Za-z][\w-]*)[`"'\]]*\s*[[(]([\s\S]*)[\])]\s*$/.exec(actionLine);
  const tool = (inline?.[1] ?? actionLine).replace(/^[`"'[]+|[`"'\].]+$/g, '').trim();
  if (!tool) return { kind: 'invalid', thought, problem: 'the "Action:" line names no tool' };
  const next = parts[decisive + 1];
  const rawInput = next?.label === 'action input' ? next.content : (inline?.[2] ?? '');
  return { kind: 'action', thought, tool, input: cleanInput(rawInput) };
}

function cleanInput(raw: string): string {
  let input = raw.trim();
  const fenced = /^```[a-zA-Z]*\n?([\s\S]*?)\n?```/.exec(input);
  if (fenced) input = fenced[1].trim();
  if (input.startsWith('{') || input.startsWith('[')) return balancedJsonPrefix(input);
  return input;
}

/** The shortest prefix of `text` whose brackets balance (strings respected), or all of it. */
export function balancedJsonPrefix(text: string): string {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return text.slice(0, index + 1);
    }
  }
  return text;
}

/**
 * Renders a conversation through a chat template into pieces, each marked as
 * assistant output or not, so the loss mask can be exactly the assistant spans.
 *
 * The assistant piece of turn k is what the template adds going from
 * render(messages[..k], addGenerationPrompt) to render(messages[..k+1]): the reply
 * text plus the template's end-of-turn marker (so the model learns to stop). This
 * needs a prefix-stable template (every real chat template is); one that is not is
 * reported as an error string and the record is skipped.
 */
/** A message as chat templates read it (tool calls in transformers' form). */
export interface TemplateMessage {
  role: string;
  content: string;
  tool_calls?: { type: 'function'; function: { name: string; arguments: Record<string, unknown> } }[];
}

/** What one SFT record renders from: its messages and the tools it was given. */
export interface Conversation {
  messages: TemplateMessage[];
  tools?: unknown[];
}

export interface TemplateLike {
  render(messages: TemplateMessage[], options?: { addGenerationPrompt?: boolean; tools?: unknown[] }): string;
}

export interface Piece {
  text: string;
  assistant: boolean;
}

export function renderPieces(template: TemplateLike, { messages, tools }: Conversation): Piece[] | string {
  const render = (upTo: number, addGenerationPrompt = false) => template.render(messages.slice(0, upTo), { addGenerationPrompt, ...(tools ? { tools } : {}) });
  const pieces: Piece[] = [];
  let done = '';
  for (let turn = 0; turn < messages.length; turn++) {
    if (messages[turn].role !== 'assistant') continue;
    const prompt = render(turn, true);
    const full = render(turn + 1);
    if (!prompt.startsWith(done) || !full.startsWith(prompt)) return `chat template is not prefix-stable at turn ${turn}`;
    if (prompt.length > done.length) pieces.push({ text: prompt.slice(done.length), assistant: false });
    pieces.push({ text: full.slice(prompt.length), assistant: true });
    done = full;
  }
  const whole = render(messages.length);
  if (!whole.startsWith(done)) return 'chat template is not prefix-stable at the end';
  if (whole.length > done.length) pieces.push({ text: whole.slice(done.length), assistant: false });
  return pieces;
}

/**
 * Engine log-probabilities → OpenAI's two shapes: the legacy completions
 * `{tokens, token_logprobs, top_logprobs, text_offset}` and chat's
 * `{content: [{token, logprob, bytes, top_logprobs}]}`.
 */
import type { GeneratedLogprob } from '@chainlm/engine';

export interface TokenText {
  (id: number): string;
}

export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

export function completionLogprobs(
  entries: { tokenId: number; logprob: number | null; top?: { tokenId: number; logprob: number }[] }[],
  tokenText: TokenText,
  startOffset = 0,
): CompletionLogprobs {
  const result: CompletionLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
  let offset = startOffset;
  for (const entry of entries) {
    const text = tokenText(entry.tokenId);
    result.tokens.push(text);
    result.token_logprobs.push(entry.logprob);
    result.top_logprobs.push(entry.top ? Object.fromEntries(entry.top.map((item) => [tokenText(item.tokenId), item.logprob])) : null);
    result.text_offset.push(offset);
    offset += text.length;
  }
  return result;
}

export function chatLogprobs(entries: readonly GeneratedLogprob[], tokenText: TokenText) {
  const bytes = (text: string) => Array.from(Buffer.from(text, 'utf8'));
  return {
    content: entries.map((entry) => {
      const token = tokenText(entry.tokenId);
      return {
        token,
        logprob: entry.logprob,
        bytes: bytes(token),
        top_logprobs: (entry.top ?? []).map((item) => {
          const text = tokenText(item.tokenId);
          return { token: text, logprob: item.logprob, bytes: bytes(text) };
        }),
      };
    }),
  };
}

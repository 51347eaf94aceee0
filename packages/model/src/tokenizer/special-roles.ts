/**
 * Which special token is BOS / EOS / PAD / UNK. tokenizer_config.json says so when it
 * exists (`bos_token: "<s>"` or `{content: "<s>"}`); otherwise the conventional names
 * of the big families decide (Llama `<s>`, GPT-2 `<|endoftext|>` as both BOS and EOS,
 * Llama-3 `<|begin_of_text|>`).
 */
import type { SpecialRoles } from './table-tokenizer.js';

const conventionalNames = {
  bos: ['<s>', '<|begin_of_text|>', '<|startoftext|>', '<bos>', '<|endoftext|>'],
  eos: ['</s>', '<|end_of_text|>', '<|endoftext|>', '<eos>'],
  pad: ['<pad>', '<|pad|>', '[PAD]', '<|padding|>'],
  unk: ['<unk>', '[UNK]', '<|unk|>'],
} as const;

/** `"<s>"` or `{ content: "<s>", ... }` → `"<s>"`; anything else → null. */
export function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return null;
}

function pick(
  lookup: (token: string) => number | undefined,
  configured: unknown,
  names: readonly string[],
): number | null {
  const fromConfig = tokenContent(configured);
  if (fromConfig !== null) return lookup(fromConfig) ?? null;
  for (const name of names) {
    const id = lookup(name);
    if (id !== undefined) return id;
  }
  return null;
}

/** Resolves roles from a tokenizer_config.json object (may be empty) and the vocabulary. */
export function resolveSpecialRoles(
  lookup: (token: string) => number | undefined,
  config: Record<string, unknown> = {},
): SpecialRoles {
  return {
    bosId: pick(lookup, config.bos_token, conventionalNames.bos),
    eosId: pick(lookup, config.eos_token, conventionalNames.eos),
    padId: pick(lookup, config.pad_token, conventionalNames.pad),
    unkId: pick(lookup, config.unk_token, conventionalNames.unk),
  };
}

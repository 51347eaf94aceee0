/**
 * Reads an HF tokenizer.json `decoder` to learn how each token becomes bytes, so our
 * byte-exact decode/stream decoder can replace the library's string-level decode.
 * Two families cover the decoder-only LMs: ByteLevel (GPT-2, Llama-3, Qwen) and the
 * SentencePiece style (Metaspace, or Replace ▁→space + ByteFallback + Fuse + Strip,
 * as Llama-2/InternLM2 tokenizer.json files have).
 */
import { byteLevelTokenBytes } from './byte-level.js';
import { tokenizerFileError } from './errors.js';
import { sentencePieceBytes, textBytes } from './token-table.js';

export type DecoderStyle = { kind: 'byte-level' } | { kind: 'sentencepiece'; stripLeadingSpace: boolean };

interface DecoderNode {
  type?: unknown;
  decoders?: unknown;
  start?: unknown;
  content?: unknown;
  add_prefix_space?: unknown;
  prepend_scheme?: unknown;
  pattern?: { String?: unknown };
}

function flatten(node: DecoderNode): DecoderNode[] {
  if (node.type === 'Sequence' && Array.isArray(node.decoders)) return (node.decoders as DecoderNode[]).flatMap(flatten);
  return [node];
}

export function decoderStyle(decoder: unknown, file: string): DecoderStyle {
  const steps = decoder !== null && typeof decoder === 'object' ? flatten(decoder as DecoderNode) : [];
  const types = steps.map((step) => String(step.type));
  if (types.includes('ByteLevel')) return { kind: 'byte-level' };
  const metaspace = steps.find((step) => step.type === 'Metaspace');
  const replacesSpace = steps.some((step) => step.type === 'Replace' && step.pattern?.String === '\u2581');
  if (metaspace !== undefined || replacesSpace || types.includes('ByteFallback')) {
    const strip = steps.some((step) => step.type === 'Strip' && Number(step.start) >= 1 && step.content === ' ');
    const metaspacePrefix =
      metaspace !== undefined && (metaspace.add_prefix_space === true || ['always', 'first'].includes(String(metaspace.prepend_scheme)));
    return { kind: 'sentencepiece', stripLeadingSpace: strip || metaspacePrefix };
  }
  throw tokenizerFileError(
    file,
    `decoder ${JSON.stringify(types)} is not supported`,
    'supported decoders: ByteLevel, Metaspace, or a Sequence of Replace(▁→space)/ByteFallback/Fuse/Strip (the decoder-only LM families)',
  );
}

/** Bytes a vocabulary token decodes to under `style`. Added tokens decode as their literal text. */
export function tokenBytesFor(style: DecoderStyle, token: string, isAdded: boolean): Uint8Array {
  if (isAdded) return textBytes(token);
  if (style.kind === 'byte-level') return byteLevelTokenBytes(token) ?? textBytes(token);
  return sentencePieceBytes(token);
}

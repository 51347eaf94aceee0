/**
 * Turns records into token ids (and loss masks), the work the tokenizer workers do.
 * Shared by the worker threads and the in-process fallback, so both give the same ids.
 */
import { loadPackTokenizer, type PackTokenizer } from './load-tokenizer.js';
import { renderPieces, type Conversation, type TemplateLike } from './sft-render.js';
import { dataErrors } from '../errors.js';

export interface EncoderSetup {
  tokenizerPath: string;
  /** Chat template source for sft: a model folder, tokenizer_config.json, .jinja or builtin name. */
  chatTemplate: string | null;
  addBos: boolean;
}

export type EncodeJob = { mode: 'pretrain'; texts: string[] } | { mode: 'sft'; conversations: Conversation[] };

/** Flat ids of n documents: document i is ids[offsets[i] .. offsets[i+1]). */
export interface EncodedBatch {
  ids: Int32Array;
  offsets: Int32Array;
  /** Loss mask per id (sft), else null. */
  mask: Uint8Array | null;
  /** Documents that could not be encoded (empty range in ids), with why. */
  failures: { index: number; reason: string }[];
}

export interface SpecialIds {
  eosId: number;
  bosId: number | null;
  padId: number;
}

export function specialIds(tokenizer: PackTokenizer & { padId?: number | null }): SpecialIds {
  if (tokenizer.eosId === null || tokenizer.eosId === undefined) throw dataErrors.tokenizerUnavailable('the tokenizer has no EOS token, which packing needs between documents');
  return { eosId: tokenizer.eosId, bosId: tokenizer.bosId ?? null, padId: tokenizer.padId ?? tokenizer.eosId };
}

export async function createJobEncoder(setup: EncoderSetup): Promise<(job: EncodeJob) => EncodedBatch> {
  const tokenizer = await loadPackTokenizer(setup.tokenizerPath);
  const special = specialIds(tokenizer);
  let template: TemplateLike | undefined;
  if (setup.chatTemplate !== null) {
    const model = (await import('@chainlm/model')) as unknown as { loadChatTemplate?: (source: string, tokenizer: unknown) => TemplateLike };
    if (typeof model.loadChatTemplate !== 'function') throw dataErrors.tokenizerUnavailable('@chainlm/model has no loadChatTemplate export yet');
    template = model.loadChatTemplate(setup.chatTemplate, tokenizer);
  }
  const encode = (text: string) => tokenizer.encode(text, { addSpecialTokens: false });
  return (job) => {
    const pieces: ArrayLike<number>[] = [];
    const masks: number[] = [];
    const failures: EncodedBatch['failures'] = [];
    const offsets = new Int32Array((job.mode === 'pretrain' ? job.texts.length : job.conversations.length) + 1);
    let total = 0;
    if (job.mode === 'pretrain') {
      for (const [index, text] of job.texts.entries()) {
        const ids = encode(text);
        if (setup.addBos && special.bosId !== null) pieces.push([special.bosId]);
        pieces.push(ids, [special.eosId]);
        total += ids.length + 1 + (setup.addBos && special.bosId !== null ? 1 : 0);
        offsets[index + 1] = total;
      }
    } else {
      for (const [index, conversation] of job.conversations.entries()) {
        const rendered = renderPieces(template!, conversation);
        if (typeof rendered === 'string') failures.push({ index, reason: rendered });
        else {
          for (const piece of rendered) {
            const ids = encode(piece.text);
            pieces.push(ids);
            masks.push(ids.length, piece.assistant ? 1 : 0);
            total += ids.length;
          }
        }
        offsets[index + 1] = total;
      }
    }
    const ids = new Int32Array(total);
    let at = 0;
    for (const piece of pieces) {
      ids.set(piece as ArrayLike<number>, at);
      at += piece.length;
    }
    let mask: Uint8Array | null = null;
    if (job.mode === 'sft') {
      mask = new Uint8Array(total);
      let position = 0;
      for (let index = 0; index < masks.length; index += 2) {
        if (masks[index + 1]) mask.fill(1, position, position + masks[index]);
        position += masks[index];
      }
    }
    return { ids, offsets, mask, failures };
  };
}

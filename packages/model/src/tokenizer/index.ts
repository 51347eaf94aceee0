/** Tokenizers and chat templates of @chainlm/model. Everything public is exported here. */
export type {
  ChatMessage,
  ChatRenderOptions,
  ChatTemplate,
  DecodeOptions,
  EncodeOptions,
  StreamDecoder,
  Tokenizer,
  TokenizerFormat,
} from './types.js';
export { loadTokenizer, readTokenizerConfig } from './load-tokenizer.js';
export { tokenizerFromJson, type HfTokenizerOptions } from './hf-tokenizer.js';
export { sentencePieceTokenizer } from './sentencepiece-tokenizer.js';
export { parseSentencePieceModel, pieceTypes, type SentencePieceModel, type SentencePiece } from './sentencepiece-model.js';
export { llama2cTokenizer, parseLlama2cTokenizer, type Llama2cVocab } from './llama2c-tokenizer.js';
export { TableTokenizer, type SpecialRoles } from './table-tokenizer.js';
export type { TokenTable } from './token-table.js';
export { trainBpeTokenizer, type TrainBpeOptions, type TrainedBpe } from './bpe-trainer.js';
export { buildTokenizerJson, buildTokenizerConfig, saveTokenizerJson, type TokenizerJsonObject } from './tokenizer-json.js';
export { loadChatTemplate, type LoadChatTemplateOptions } from './chat-template.js';
export { builtinChatTemplates, type BuiltinChatTemplateName } from './builtin-chat-templates.js';
export { byteToChar, byteLevelTokenBytes, gpt2SplitPattern } from './byte-level.js';
export { readVocabTestVectors, type VocabTestCase } from './vocab-test-vectors.js';

/**
 * Chat templates: the Jinja `chat_template` of tokenizer_config.json (or
 * chat_template.jinja beside it), rendered with @huggingface/jinja with the variables
 * transformers' apply_chat_template passes (messages, add_generation_prompt, tools,
 * bos/eos/unk/pad token text), or a built-in template for models without one.
 *
 * The rendered text already holds BOS when the template writes `bos_token`; encode it
 * with `addSpecialTokens: false`, as transformers does.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Template } from '@huggingface/jinja';
import { builtinChatTemplates, isBuiltinChatTemplateName, type BuiltinChatTemplateName } from './builtin-chat-templates.js';
import { chatTemplateError } from './errors.js';
import { tokenContent } from './special-roles.js';
import type { ChatMessage, ChatRenderOptions, ChatTemplate, Tokenizer } from './types.js';

export interface LoadChatTemplateOptions {
  /** Built-in template to use when the source has no chat_template. Without it, a missing template is an error. */
  fallback?: BuiltinChatTemplateName;
}

type TemplateSet = { default: string; toolUse?: string };

function readJsonObject(file: string): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw chatTemplateError(file, `invalid JSON: ${(error as Error).message}`, 'fix or re-download the file');
  }
  throw chatTemplateError(file, 'expected a JSON object', 'tokenizer_config.json holds one object');
}

/** `chat_template` as a string, or as [{name, template}] (transformers' named templates). */
function templateSetOf(value: unknown, source: string): TemplateSet | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return { default: value };
  if (Array.isArray(value)) {
    const named = new Map(value.map((entry: { name?: unknown; template?: unknown }) => [String(entry.name), String(entry.template)]));
    const fallback = named.get('default') ?? [...named.values()][0];
    if (fallback !== undefined) return { default: fallback, toolUse: named.get('tool_use') };
  }
  throw chatTemplateError(source, 'chat_template must be a string or a list of {name, template}', 'fix tokenizer_config.json');
}

function fromFolder(folder: string): { config: Record<string, unknown>; templates: TemplateSet | null; source: string } {
  const configFile = path.join(folder, 'tokenizer_config.json');
  const config = existsSync(configFile) ? readJsonObject(configFile) : {};
  const fromConfig = templateSetOf(config.chat_template, configFile);
  if (fromConfig !== null) return { config, templates: fromConfig, source: configFile };
  const jinjaFile = path.join(folder, 'chat_template.jinja');
  if (existsSync(jinjaFile)) return { config, templates: { default: readFileSync(jinjaFile, 'utf8') }, source: jinjaFile };
  return { config, templates: null, source: folder };
}

function resolveSource(source: string | Record<string, unknown>) {
  if (typeof source !== 'string') return { config: source, templates: templateSetOf(source.chat_template, 'tokenizer config'), source: 'tokenizer config' };
  if (!existsSync(source) && isBuiltinChatTemplateName(source)) return { config: {}, templates: null, source, builtin: source };
  if (!existsSync(source)) throw chatTemplateError(source, 'no such file or folder', `pass a model folder, a tokenizer_config.json, a .jinja file or one of ${Object.keys(builtinChatTemplates).join(', ')}`);
  if (statSync(source).isDirectory()) return fromFolder(source);
  if (source.endsWith('.json')) {
    const config = readJsonObject(source);
    return { config, templates: templateSetOf(config.chat_template, source), source };
  }
  return { config: {}, templates: { default: readFileSync(source, 'utf8') }, source };
}

function compile(text: string, source: string): Template {
  try {
    return new Template(text);
  } catch (error) {
    throw chatTemplateError(source, `chat template does not parse: ${(error as Error).message}`, 'fix the Jinja syntax of chat_template');
  }
}

/** Token text for a role: tokenizer_config.json first, then the tokenizer's own special ids. */
function specialText(config: Record<string, unknown>, key: string, tokenizer: Tokenizer | null | undefined, id: number | null | undefined): string {
  const configured = tokenContent(config[key]);
  if (configured !== null) return configured;
  if (tokenizer && id !== null && id !== undefined) return tokenizer.idToToken(id) ?? '';
  return '';
}

/** null content → '', [{type:'text', text}] parts → their text joined: templates concatenate strings. */
function normalizeMessages(messages: ChatMessage[]): ChatMessage[] {
  return messages.map((message) => {
    const content = message.content as unknown;
    if (content === null || content === undefined) return { ...message, content: '' };
    if (Array.isArray(content)) {
      const text = content.map((part: { type?: unknown; text?: unknown }) => (part.type === 'text' ? String(part.text ?? '') : '')).join('');
      return { ...message, content: text };
    }
    return message;
  });
}

export function loadChatTemplate(
  source: string | Record<string, unknown>,
  tokenizer?: Tokenizer | null,
  options: LoadChatTemplateOptions = {},
): ChatTemplate {
  const resolved: { config: Record<string, unknown>; templates: TemplateSet | null; source: string; builtin?: BuiltinChatTemplateName } = resolveSource(source);
  const builtin = resolved.builtin ?? (resolved.templates === null ? options.fallback : undefined);
  if (resolved.templates === null && builtin === undefined) {
    throw chatTemplateError(resolved.source, 'no chat_template found', `pass { fallback: 'internlm2' | 'llama3' | 'chatml' } or a model folder whose tokenizer_config.json has chat_template`);
  }
  const templates = resolved.templates ?? { default: builtinChatTemplates[builtin as BuiltinChatTemplateName] };
  const sourceName = resolved.templates === null ? `builtin:${builtin}` : resolved.source;
  const compiled = compile(templates.default, sourceName);
  const toolUse = templates.toolUse === undefined ? null : compile(templates.toolUse, sourceName);
  const config = resolved.config;
  const tokens = {
    bos_token: specialText(config, 'bos_token', tokenizer, tokenizer?.bosId),
    eos_token: specialText(config, 'eos_token', tokenizer, tokenizer?.eosId),
    pad_token: specialText(config, 'pad_token', tokenizer, tokenizer?.padId),
    unk_token: specialText(config, 'unk_token', tokenizer, null),
  };
  return {
    source: sourceName,
    render(messages: ChatMessage[], renderOptions: ChatRenderOptions = {}): string {
      const template = renderOptions.tools !== undefined && toolUse !== null ? toolUse : compiled;
      const variables: Record<string, unknown> = {
        ...tokens,
        ...renderOptions.variables,
        messages: normalizeMessages(messages),
        add_generation_prompt: renderOptions.addGenerationPrompt ?? false,
      };
      if (renderOptions.tools !== undefined) variables.tools = renderOptions.tools;
      try {
        return template.render(variables);
      } catch (error) {
        throw chatTemplateError(sourceName, `rendering failed: ${(error as Error).message}`, 'check the messages (roles, order) against what the template accepts');
      }
    },
  };
}

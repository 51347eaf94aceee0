import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainBpeTokenizer } from './bpe-trainer.js';
import { loadChatTemplate } from './chat-template.js';
import type { ChatMessage, Tokenizer } from './types.js';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are InternLM.' },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello! ' },
  { role: 'user', content: [{ type: 'text', text: '你好' }] as never },
];

let tokenizer: Tokenizer;
let dir: string;
beforeAll(async () => {
  ({ tokenizer } = await trainBpeTokenizer(['hello'], { vocabSize: 260, specialTokens: ['<s>', '</s>', '<|im_start|>', '<|im_end|>'] }));
  dir = mkdtempSync(path.join(tmpdir(), 'chainlm-chat-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('built-in chat templates', () => {
  it('internlm2 renders system/user/assistant and the generation prompt, BOS from the tokenizer', () => {
    const template = loadChatTemplate('internlm2', tokenizer);
    expect(template.source).toBe('builtin:internlm2');
    expect(template.render(messages, { addGenerationPrompt: true })).toBe(
      '<s><|im_start|>system\nYou are InternLM.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n' +
        '<|im_start|>assistant\nHello! <|im_end|>\n<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(template.render(messages.slice(1, 2))).toBe('<s><|im_start|>user\nHi<|im_end|>\n');
  });

  it('llama3 puts BOS once, trims contents, closes turns with <|eot_id|>', () => {
    const template = loadChatTemplate({ bos_token: '<|begin_of_text|>' }, tokenizer, { fallback: 'llama3' });
    expect(template.render(messages.slice(0, 3), { addGenerationPrompt: true })).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are InternLM.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('chatml has no BOS and treats null content as empty', () => {
    const template = loadChatTemplate('chatml', null);
    expect(template.render([{ role: 'assistant', content: null }])).toBe('<|im_start|>assistant\n<|im_end|>\n');
  });

  it('chatml names the tools in one system turn and renders tool calls as <tool_call> blocks', () => {
    const template = loadChatTemplate('chatml', null);
    const tools = [{ type: 'function', function: { name: 'calculator', parameters: {} } }, { type: 'function', function: { name: 'date_time' } }];
    const call = { type: 'function', function: { name: 'calculator', arguments: { expression: '3 * 4' } } };
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Calculate 3 * 4.' },
      { role: 'assistant', content: null, tool_calls: [call, call] },
      { role: 'tool', content: '{"result":"12"}' },
      { role: 'assistant', content: '3 * 4 = 12.' },
    ];
    const block = '<tool_call>\n{"name": "calculator", "arguments": {"expression": "3 * 4"}}\n</tool_call>';
    expect(template.render(messages, { tools })).toBe(
      '<|im_start|>system\nBe brief.\nTools: calculator, date_time<|im_end|>\n' +
        '<|im_start|>user\nCalculate 3 * 4.<|im_end|>\n' +
        `<|im_start|>assistant\n${block}\n${block}<|im_end|>\n` +
        '<|im_start|>tool\n{"result":"12"}<|im_end|>\n' +
        '<|im_start|>assistant\n3 * 4 = 12.<|im_end|>\n',
    );
    // No system message of its own: the tools turn stands alone; text before a call stays.
    const withText: ChatMessage[] = [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Let me see.', tool_calls: [call] }];
    expect(template.render(withText, { tools: tools.slice(0, 1) })).toBe(
      `<|im_start|>system\nTools: calculator<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nLet me see.\n${block}<|im_end|>\n`,
    );
    // Without tools the system message is an ordinary turn.
    expect(template.render(messages.slice(0, 2), { addGenerationPrompt: true })).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nCalculate 3 * 4.<|im_end|>\n<|im_start|>assistant\n');
  });
});

describe('chat templates from tokenizer_config.json', () => {
  const custom = "{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}{% if tools %}T{{ tools | length }}{% endif %}{% if add_generation_prompt %}[assistant]{% endif %}";

  it('reads chat_template from a model folder and passes tools and special tokens', () => {
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: custom, eos_token: { content: '</s>' } }));
    const template = loadChatTemplate(dir, tokenizer);
    expect(template.source).toBe(path.join(dir, 'tokenizer_config.json'));
    expect(template.render(messages.slice(1, 3), { addGenerationPrompt: true, tools: [{ type: 'function' }] })).toBe('[user]Hi</s>[assistant]Hello! </s>T1[assistant]');
  });

  it('picks the tool_use template of a named list when tools are given', () => {
    const template = loadChatTemplate({ chat_template: [{ name: 'default', template: 'D' }, { name: 'tool_use', template: 'T' }] }, tokenizer);
    expect(template.render(messages)).toBe('D');
    expect(template.render(messages, { tools: [] })).toBe('T');
  });

  it('reads a bare .jinja file', () => {
    const file = path.join(dir, 'chat_template.jinja');
    writeFileSync(file, '{{ messages[0].content }}!');
    expect(loadChatTemplate(file, tokenizer).render(messages)).toBe('You are InternLM.!');
  });

  it('fails with a fix when there is no template, it does not parse, or the template raises', () => {
    expect(() => loadChatTemplate({}, tokenizer)).toThrow(/no chat_template found/);
    expect(() => loadChatTemplate({ chat_template: '{% for %}' }, tokenizer)).toThrow(/does not parse/);
    const strict = loadChatTemplate({ chat_template: "{% if messages[0].role != 'user' %}{{ raise_exception('first message must be user') }}{% endif %}ok" }, tokenizer);
    expect(strict.render(messages.slice(1))).toBe('ok');
    expect(() => strict.render(messages)).toThrow(/first message must be user/);
    expect(() => loadChatTemplate(path.join(dir, 'missing'), tokenizer)).toThrow(/no such file or folder/);
    expect(() => loadChatTemplate({ chat_template: 42 }, tokenizer)).toThrow(/must be a string or a list/);
  });
});

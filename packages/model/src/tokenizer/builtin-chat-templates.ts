/**
 * Chat templates for models whose tokenizer_config.json has none. The texts are the
 * ones the model families publish (InternLM2-chat, Meta-Llama-3-Instruct), so a
 * prompt rendered here tokenizes exactly as in transformers' apply_chat_template.
 */
export const builtinChatTemplates = {
  /** InternLM2-chat: `<s><|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n`. */
  internlm2:
    "{{ bos_token }}{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  /** Llama-3-Instruct: header ids around the role, `<|eot_id|>` after each turn, BOS once at the start. */
  llama3:
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
  /**
   * ChatML (Qwen-style, no default system prompt, no BOS) with function calling in a
   * compact form for small contexts: given `tools`, one system turn names them
   * (`Tools: calculator, unit_convert`, after the conversation's own system text); an
   * assistant's `tool_calls` render as Qwen2's `<tool_call>\n{"name": …, "arguments":
   * {…}}\n</tool_call>` blocks; tool results are `tool` turns. Without tools it renders
   * exactly plain ChatML.
   */
  chatml:
    "{%- set rest = messages -%}" +
    "{%- if tools -%}" +
    "{{ '<|im_start|>system\\n' }}" +
    "{%- if messages and messages[0]['role'] == 'system' -%}{{ messages[0]['content'] + '\\n' }}{%- set rest = messages[1:] -%}{%- endif -%}" +
    "{{ 'Tools: ' }}{%- for tool in tools -%}{{ tool['function']['name'] }}{%- if not loop.last -%}{{ ', ' }}{%- endif -%}{%- endfor -%}{{ '<|im_end|>\\n' }}" +
    "{%- endif -%}" +
    "{%- for message in rest -%}" +
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] }}" +
    "{%- if message['tool_calls'] -%}{%- for call in message['tool_calls'] -%}" +
    "{%- if message['content'] or not loop.first -%}{{ '\\n' }}{%- endif -%}" +
    "{{ '<tool_call>\\n' + ({'name': call['function']['name'], 'arguments': call['function']['arguments']} | tojson) + '\\n</tool_call>' }}" +
    "{%- endfor -%}{%- endif -%}" +
    "{{ '<|im_end|>\\n' }}" +
    "{%- endfor -%}" +
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}",
} as const;

export type BuiltinChatTemplateName = keyof typeof builtinChatTemplates;

export function isBuiltinChatTemplateName(name: string): name is BuiltinChatTemplateName {
  return Object.hasOwn(builtinChatTemplates, name);
}

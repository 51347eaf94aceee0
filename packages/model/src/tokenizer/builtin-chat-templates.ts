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
  /** Plain ChatML (Qwen-style without a default system prompt), no BOS. */
  chatml:
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
} as const;

export type BuiltinChatTemplateName = keyof typeof builtinChatTemplates;

export function isBuiltinChatTemplateName(name: string): name is BuiltinChatTemplateName {
  return Object.hasOwn(builtinChatTemplates, name);
}

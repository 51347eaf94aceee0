import { describe, expect, it } from 'vitest';
import { ConfigError } from '@chainlm/core';
import { countParameters, parseHfConfig, presetConfig, toHfConfig, validateModelConfig } from './index.js';

const llamaJson = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 32000,
  hidden_size: 4096,
  intermediate_size: 11008,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 32,
  max_position_embeddings: 4096,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  rope_scaling: null,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  torch_dtype: 'float16',
  pretraining_tp: 1,
};

describe('parseHfConfig', () => {
  it('normalizes a Llama-2-7B config', () => {
    const config = parseHfConfig(llamaJson);
    expect(config).toMatchObject({ architecture: 'llama', numKvHeads: 32, headDim: 128, attentionBias: false, ropeScaling: null, eosTokenId: 2 });
    expect(countParameters(config)).toBe(6_738_415_616);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads InternLM2 (GQA, dynamic rope, bias false) and Qwen2 (biases, tied)', () => {
    const internlm2 = parseHfConfig({
      architectures: ['InternLM2ForCausalLM'], vocab_size: 92544, hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32,
      num_attention_heads: 32, num_key_value_heads: 8, max_position_embeddings: 32768, rope_theta: 1000000, bias: false,
      rope_scaling: { type: 'dynamic', factor: 2.0 }, eos_token_id: 2, bos_token_id: 1,
    });
    expect(internlm2).toMatchObject({ architecture: 'internlm2', numKvHeads: 8, ropeScaling: { type: 'dynamic', factor: 2 }, attentionBias: false, ropeTheta: 1e6 });
    const qwen2 = parseHfConfig({
      architectures: ['Qwen2ForCausalLM'], vocab_size: 151936, hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24,
      num_attention_heads: 14, num_key_value_heads: 2, tie_word_embeddings: true, use_sliding_window: false, eos_token_id: [151645, 151643],
    });
    expect(qwen2).toMatchObject({ architecture: 'qwen2', headDim: 64, attentionBias: true, tieWordEmbeddings: true, eosTokenId: [151645, 151643] });
  });

  it('reads InternLM v1 `rotary` and `bias`', () => {
    const config = parseHfConfig({
      architectures: ['InternLMForCausalLM'], vocab_size: 103168, hidden_size: 5120, intermediate_size: 13824, num_hidden_layers: 60,
      num_attention_heads: 40, bias: false, rotary: { base: 10000, type: 'dynamic', scaling_factor: 1.0 },
    });
    expect(config).toMatchObject({ architecture: 'internlm', attentionBias: false, ropeScaling: { type: 'dynamic', factor: 1 }, ropeTheta: 10000 });
    expect(parseHfConfig({ ...llamaJson, architectures: ['InternLMForCausalLM'], rotary: { base: 5000, type: 'origin' } })).toMatchObject({ ropeScaling: null, ropeTheta: 5000, attentionBias: true });
  });

  it('round-trips every architecture through toHfConfig', () => {
    for (const architecture of ['llama', 'internlm', 'internlm2', 'qwen2'] as const) {
      const config = presetConfig('tiny', { architecture, numKvHeads: architecture === 'internlm' ? 4 : 2, attentionBias: architecture !== 'llama', ropeScaling: { type: 'dynamic', factor: 2 }, eosTokenId: [2, 3] });
      expect(parseHfConfig(JSON.parse(JSON.stringify(toHfConfig(config))))).toEqual(config);
    }
    const odd = presetConfig('tiny', { headDim: 16, ropeScaling: { type: 'linear', factor: 4 }, tieWordEmbeddings: false });
    expect(toHfConfig(odd).head_dim).toBe(16);
    expect(parseHfConfig(toHfConfig(odd))).toEqual(odd);
  });

  it('rejects what it cannot reproduce, naming the key', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...llamaJson, architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }, /architectures: unsupported architecture \(found GPT2LMHeadModel\)/],
      [{ ...llamaJson, hidden_act: 'gelu' }, /hidden_act: unsupported activation "gelu"/],
      [{ ...llamaJson, mlp_bias: true }, /mlp_bias/],
      [{ ...llamaJson, use_sliding_window: true }, /use_sliding_window/],
      [{ ...llamaJson, rope_scaling: { rope_type: 'yarn', factor: 4 } }, /rope_scaling.type: unsupported rope scaling "yarn"/],
      [{ ...llamaJson, rope_scaling: { type: 'linear' } }, /rope_scaling.factor/],
      [{ ...llamaJson, architectures: ['InternLMForCausalLM'], rotary: { type: 'ntk' } }, /rotary.type/],
      [{ ...llamaJson, hidden_size: -4 }, /hidden_size/],
      [{ ...llamaJson, num_key_value_heads: 5 }, /numKvHeads/],
    ];
    for (const [json, message] of cases) {
      expect(() => parseHfConfig(json, 'model/config.json')).toThrow(ConfigError);
      expect(() => parseHfConfig(json, 'model/config.json')).toThrow(message);
    }
  });
});

describe('validateModelConfig and presets', () => {
  it('rejects unknown keys and cross-field violations', () => {
    const tiny = presetConfig('tiny');
    expect(() => validateModelConfig({ ...tiny, dim: 3 })).toThrow(/unknown key "dim"/);
    expect(() => validateModelConfig({ ...tiny, headDim: 31 })).toThrow(/headDim must be even/);
    expect(() => validateModelConfig({ ...tiny, architecture: 'internlm' })).toThrow(/InternLM \(v1\) has no grouped-query/);
    expect(() => validateModelConfig({ ...tiny, architecture: 'internlm', numKvHeads: 4, ropeScaling: { type: 'linear', factor: 2 } })).toThrow(/only dynamic/);
    expect(() => validateModelConfig({ ...tiny, architecture: 'qwen2' })).toThrow(/Qwen2 always has q\/k\/v biases/);
  });

  it('builds the named sizes', () => {
    expect(countParameters(presetConfig('tiny'))).toBeGreaterThan(1e6);
    expect(countParameters(presetConfig('tiny'))).toBeLessThan(3e6);
    const s15 = presetConfig('s15');
    expect(s15).toMatchObject({ hiddenSize: 288, numLayers: 6, numHeads: 6, intermediateSize: 768, vocabSize: 32000, maxPositionEmbeddings: 512, headDim: 48 });
    expect(Math.round(countParameters(s15) / 1e6)).toBe(15);
    expect(Math.round(countParameters(presetConfig('s110')) / 1e6)).toBe(110);
    expect(presetConfig('small', { vocabSize: 1000, hiddenSize: 128 }).headDim).toBe(16);
    expect(() => presetConfig('huge')).toThrow(/unknown model preset "huge"/);
  });
});

import { defineCommand } from '@chainlm/core';
import { inspectCheckpoint, type InspectResult } from '../../io/inspect.js';

/** Human output lists this many tensors; --json has them all. */
const maxListed = 24;

export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: 'show architecture, parameter count, dtype and tensors of a checkpoint',
  description: 'PATH is an HF model folder, a .safetensors file, a llama2.c .bin or a .gguf file. Only headers are read.',
  positionals: [{ name: 'path', description: 'checkpoint folder or file', required: true }],
  options: {},
  examples: ['chainlm-model inspect models/stories260K', 'chainlm-model inspect model.gguf --json'],
  async run({ positionals }) {
    return inspectCheckpoint(positionals[0]);
  },
  render(result, print) {
    const info = result as InspectResult;
    print(`${info.path} (${info.format})`);
    print(`  architecture  ${info.architecture ?? 'unknown'}`);
    print(`  parameters    ${info.parameters.toLocaleString('en-US')}`);
    print(`  dtype         ${info.dtype}`);
    print(`  tensors       ${info.tensors.length}`);
    const shown = info.tensors.slice(0, maxListed);
    for (const tensor of shown) print(`    ${tensor.name.padEnd(48)} ${tensor.dtype.padEnd(5)} [${tensor.shape.join(', ')}]`);
    if (info.tensors.length > shown.length) print(`    … ${info.tensors.length - shown.length} more (--json lists all)`);
  },
});

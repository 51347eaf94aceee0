import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '@chainlm/core';
import { resolveNeeds } from './runner.js';
import { pipelineSchema } from './schema.js';
import { builtinStageKinds } from './stages/index.js';

const folder = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../pipelines');

describe('shipped pipelines', () => {
  const files = readdirSync(folder).filter((file) => file.endsWith('.yaml'));

  it('are all there', () => {
    expect(files.sort()).toEqual(['demo.yaml', 'eval-endpoint.yaml', 'lora-chat.yaml', 'shakespeare.yaml']);
  });

  it.each(files)('%s parses, uses known stage kinds and refers only to earlier stages', (file) => {
    const spec = loadConfigFile(join(folder, file), pipelineSchema);
    const stages = resolveNeeds(spec, builtinStageKinds());
    expect(stages.length).toBeGreaterThan(0);
  });
});

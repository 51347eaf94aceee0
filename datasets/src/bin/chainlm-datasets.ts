#!/usr/bin/env node
import { ChainlmError, defineCommand, main } from '@chainlm/core';
import { writeDemoData } from '../write-demo-data.js';

const demo = defineCommand({
  name: 'demo',
  summary: "write the demo data: a children's-story corpus and a chat instruction set with held-out splits",
  options: {
    out: { type: 'string', description: 'output folder', required: true, valueName: 'DIR' },
    stories: { type: 'number', description: 'number of stories', default: 20_000 },
    arithmetic: { type: 'number', description: 'arithmetic examples', default: 2000 },
    toolUse: { type: 'number', description: 'tool-use examples', default: 300 },
    storyQa: { type: 'number', description: 'story Q&A examples', default: 400 },
    seed: { type: 'number', description: 'random seed', default: 1 },
    maxOperand: { type: 'number', description: 'largest arithmetic operand', default: 50 },
    arithmeticFormat: { type: 'string', description: 'arithmetic answers: direct ("12 + 7 = 19.") or steps (worked column by column)', default: 'direct', valueName: 'direct|steps' },
  },
  run: ({ options }) => {
    const format = options.arithmeticFormat;
    if (format !== 'direct' && format !== 'steps') {
      throw new ChainlmError('bad-option', `--arithmetic-format "${format}" is not a format`, { hint: 'use direct or steps', exitCode: 2 });
    }
    return writeDemoData(options.out, { ...options, arithmeticFormat: format });
  },
  render(result, print) {
    const files = result as Awaited<ReturnType<typeof writeDemoData>>;
    print(`stories: ${files.counts.stories} → ${files.stories}`);
    print(`instructions: ${files.counts.train} train → ${files.instructionsTrain}, ${files.counts.test} test → ${files.instructionsTest}`);
  },
});

await main({ name: 'chainlm-datasets', summary: 'project-made datasets', commands: [demo] });

#!/usr/bin/env node
import { defineCommand, main } from '@chainlm/core';
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
  },
  run: ({ options }) => writeDemoData(options.out, options),
  render(result, print) {
    const files = result as Awaited<ReturnType<typeof writeDemoData>>;
    print(`stories: ${files.counts.stories} → ${files.stories}`);
    print(`instructions: ${files.counts.train} train → ${files.instructionsTrain}, ${files.counts.test} test → ${files.instructionsTest}`);
  },
});

await main({ name: 'chainlm-datasets', summary: 'project-made datasets', commands: [demo] });

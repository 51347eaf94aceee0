/**
 * Turns test rows into inferencer items: retrieve in-context examples, render
 * them with the ICE template, render the prompt (examples at `{ice}`, else
 * first), and for ppl/clp build the candidate continuations.
 */
import type { DatasetConfig } from '../config/dataset-config.js';
import { EvalError } from '../errors.js';
import type { Candidate, InferItem } from '../inferencers/inferencer.js';
import { optionLetters } from '../datasets/benchmark-loaders.js';
import type { EvalModel } from '../models/eval-model.js';
import { renderTemplate, templateColumns } from '../prompt/template.js';
import type { Retriever } from '../retrievers/retriever.js';
import type { Row } from '../types.js';

export interface BuildItemsInput {
  dataset: DatasetConfig;
  test: readonly Row[];
  /** Global indices (into the test split) of `test`. */
  indices: readonly number[];
  train: readonly Row[];
  retriever: Retriever;
  needsCandidates: boolean;
  model: EvalModel;
}

export async function buildItems(input: BuildItemsInput): Promise<InferItem[]> {
  const { dataset } = input;
  const examples = await input.retriever.retrieve(input.test, input.indices, input.train, { inputColumns: dataset.reader.inputColumns, model: input.model });
  const template = dataset.infer.promptTemplate.template;
  const hasIce = templateColumns(template).includes('ice');
  return input.test.map((row, position) => {
    const chosen = examples[position];
    if (chosen.length > 0 && dataset.infer.iceTemplate === undefined) {
      throw new EvalError('eval-template-column', `dataset ${dataset.abbr}: the retriever picked examples but infer.iceTemplate is not set`, 'add infer.iceTemplate, or use retriever type zero-shot');
    }
    const ice = chosen.map((trainIndex) => renderTemplate(dataset.infer.iceTemplate!, input.train[trainIndex], `dataset ${dataset.abbr}: infer.iceTemplate`)).join('');
    const rendered = renderTemplate(template, { ...row, ice }, `dataset ${dataset.abbr}: infer.promptTemplate.template`);
    return {
      index: input.indices[position],
      row,
      prompt: hasIce ? rendered : ice + rendered,
      candidates: input.needsCandidates ? candidatesFor(dataset, row) : undefined,
      reference: row[dataset.reader.outputColumn],
    };
  });
}

function candidatesFor(dataset: DatasetConfig, row: Row): Candidate[] {
  const prompt = dataset.infer.promptTemplate;
  const where = `dataset ${dataset.abbr}: infer.promptTemplate`;
  if (prompt.candidates) {
    return Object.entries(prompt.candidates).map(([label, continuation]) => ({ label, continuation: renderTemplate(continuation, row, `${where}.candidates.${label}`) }));
  }
  if (prompt.choicesColumn) {
    const choices = row[prompt.choicesColumn];
    if (!Array.isArray(choices) || choices.length === 0 || choices.length > optionLetters.length) {
      throw new EvalError('eval-template-candidates', `${where}.choicesColumn: column "${prompt.choicesColumn}" is not an array of 1–${optionLetters.length} choices`, 'point choicesColumn at an array column');
    }
    return choices.map((choice, index) => ({
      label: optionLetters[index],
      continuation: renderTemplate(prompt.choiceTemplate, { ...row, choice }, `${where}.choiceTemplate`),
    }));
  }
  throw new EvalError('eval-template-candidates', `${where}: the ${dataset.infer.inferencer.type} inferencer needs candidates`, 'set promptTemplate.candidates (label → continuation) or promptTemplate.choicesColumn');
}

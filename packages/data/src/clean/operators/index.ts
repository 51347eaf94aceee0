/** Every cleaning operator, by the name recipes use. Add one: write its file, list it here. */
import type { OperatorDefinition } from '../operator.js';
import { exactDedupOperator } from './exact-dedup.js';
import { languageOperator } from './language-filter.js';
import { lengthOperator } from './length-filter.js';
import { nearDedupOperator } from './near-dedup.js';
import { nfkcOperator } from './nfkc.js';
import { piiOperator } from './pii-redact.js';
import { repetitionOperator } from './repetition-filter.js';
import { stripControlOperator } from './strip-control.js';

export const operators = [
  nfkcOperator,
  stripControlOperator,
  lengthOperator,
  languageOperator,
  repetitionOperator,
  piiOperator,
  exactDedupOperator,
  nearDedupOperator,
] as const satisfies readonly OperatorDefinition<any>[];

export type OperatorName = (typeof operators)[number]['name'];

import { describe, expect, it } from 'vitest';
import { renderTemplate, templateColumns } from './template.js';

describe('renderTemplate', () => {
  it('fills placeholders, keeps code braces and unescapes {{ }}', () => {
    expect(renderTemplate('Q: {question}\nA: {answer}', { question: 'why?', answer: 42 }, 't')).toBe('Q: why?\nA: 42');
    expect(renderTemplate('d = { } {{literal}} {1, 2}', {}, 't')).toBe('d = { } {literal} {1, 2}');
    expect(renderTemplate('{choices}', { choices: ['a', 'b'] }, 't')).toBe('["a","b"]');
  });

  it('names the template field and the row columns when a column is missing', () => {
    expect(() => renderTemplate('{questoin}', { question: 'x' }, 'dataset d: infer.promptTemplate.template')).toThrow(
      'dataset d: infer.promptTemplate.template: the template uses {questoin} but the row has no such column (columns: question)',
    );
  });

  it('lists the columns a template uses', () => {
    expect(templateColumns('{ice}{q} {{x}} {a}{q}')).toEqual(['ice', 'q', 'a']);
  });
});

import { describe, expect, it } from 'vitest';
import { balancedJsonPrefix, parseReAct } from './react-parser.js';

describe('parseReAct', () => {
  it('parses a well-formed action', () => {
    expect(parseReAct('Thought: need math\nAction: calculator\nAction Input: {"expression": "2+2"}')).toEqual({ kind: 'action', thought: 'need math', tool: 'calculator', input: '{"expression": "2+2"}' });
  });

  it('parses a final answer, multi-line', () => {
    expect(parseReAct('Thought: done\nFinal Answer: 42\nand more')).toEqual({ kind: 'final', thought: 'done', answer: '42\nand more' });
  });

  it('accepts a missing Action Input as empty input', () => {
    expect(parseReAct('Thought: time?\nAction: date_time')).toMatchObject({ kind: 'action', tool: 'date_time', input: '' });
  });

  it('accepts plain input and drops a hallucinated observation', () => {
    expect(parseReAct('Thought: x\nAction: calculator\nAction Input: 3 * 7\nObservation: 21\nThought: so\nFinal Answer: 21')).toMatchObject({ kind: 'action', tool: 'calculator', input: '3 * 7' });
  });

  it('keeps the balanced JSON and drops trailing chatter', () => {
    expect(parseReAct('Action: doc_search\nAction Input: {"query": "a } b", "limit": 2} I hope this helps!')).toMatchObject({ input: '{"query": "a } b", "limit": 2}' });
    expect(balancedJsonPrefix('{"a": "\\"}"} tail')).toBe('{"a": "\\"}"}');
    expect(balancedJsonPrefix('{"open": 1')).toBe('{"open": 1');
  });

  it('tolerates markdown, case, numbering, brackets and fences', () => {
    expect(parseReAct('**Thought:** hmm\n**Action:** `calculator`\n**Action Input:** ```json\n{"expression":"1+1"}\n```')).toMatchObject({ kind: 'action', thought: 'hmm', tool: 'calculator', input: '{"expression":"1+1"}' });
    expect(parseReAct('thought 1: a\naction 1: [python]\naction input 1: print(1)')).toMatchObject({ tool: 'python', input: 'print(1)' });
    expect(parseReAct('Action: calculator[2 ^ 8]')).toMatchObject({ tool: 'calculator', input: '2 ^ 8' });
    expect(parseReAct('Action: calculator("5 km to mile")')).toMatchObject({ tool: 'calculator', input: '"5 km to mile"' });
  });

  it('takes whichever of Action and Final Answer comes first', () => {
    expect(parseReAct('Final Answer: 7\nAction: calculator\nAction Input: 1')).toMatchObject({ kind: 'final', answer: '7' });
    expect(parseReAct('I think so.\nAction: calculator\nAction Input: 1')).toMatchObject({ kind: 'action', thought: 'I think so.' });
  });

  it('reports replies without the protocol', () => {
    expect(parseReAct('The answer is probably 4.')).toMatchObject({ kind: 'invalid', thought: 'The answer is probably 4.' });
    expect(parseReAct('Thought: x\nAction: \nAction Input: 1')).toMatchObject({ kind: 'invalid', problem: expect.stringContaining('names no tool') });
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDocSection } from './doc-section.js';

describe('writeDocSection', () => {
  it('appends a section once, then replaces only it, leaving the others', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'chainlm-doc-')), 'bench.md');
    writeDocSection(file, 'a', '## A\nfirst', '# eval benchmarks');
    writeDocSection(file, 'b', '## B\nother');
    writeDocSection(file, 'a', '## A\nsecond');
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# eval benchmarks\n')).toBe(true);
    expect(text).toContain('<!-- a:begin -->\n## A\nsecond\n<!-- a:end -->');
    expect(text).not.toContain('first');
    expect(text).toContain('<!-- b:begin -->\n## B\nother\n<!-- b:end -->');
    expect(text.indexOf('a:begin')).toBeLessThan(text.indexOf('b:begin'));
  });
});

/**
 * Benchmarks write their tables into shared Markdown files (docs/benchmarks/*.md),
 * several scripts into one file: each owns a section between
 * `<!-- NAME:begin -->` and `<!-- NAME:end -->` and replaces only that, appending it
 * the first time, so one bench never erases another's results. The write is atomic.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from './atomic-write.js';

/** Replaces (or appends) section `name` of `file` with `body`; returns the file's new text. */
export function writeDocSection(file: string, name: string, body: string, title = '# Benchmarks'): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${begin}\n${body.trim()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `${title}\n`;
  const at = current.indexOf(begin);
  const stop = at >= 0 ? current.indexOf(end, at) : -1;
  const updated = at >= 0 && stop >= 0 ? current.slice(0, at) + section + current.slice(stop + end.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileAtomicSync(file, updated);
  return updated;
}

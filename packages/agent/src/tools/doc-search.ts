/**
 * Document search over a user folder: text files are cut into passages (paragraphs,
 * at most `passageLines` lines each) and indexed with MiniSearch (BM25+ ranking,
 * prefix and light fuzzy matching). Results carry the file (relative to the folder)
 * and the 1-based first and last line, so an agent can cite them. The index is
 * rebuilt only when a file's size or mtime changes.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import MiniSearch from 'minisearch';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { defineTool } from './tool.js';

export interface Passage {
  id: number;
  file: string;
  line: number;
  lineEnd: number;
  text: string;
}

export interface DocSearchOptions {
  folder: string;
  passageLines?: number;
  extensions?: string[];
  /** Files larger than this (bytes) are skipped. */
  maxFileBytes?: number;
}

const defaultExtensions = ['.txt', '.md', '.markdown', '.rst', '.csv', '.json', '.jsonl', '.yaml', '.yml', '.html', '.ts', '.js', '.py'];

/** Splits text into paragraph passages of at most `maxLines` lines, with 1-based line numbers. */
export function splitPassages(file: string, text: string, maxLines: number, firstId = 0): Passage[] {
  const passages: Passage[] = [];
  const lines = text.split(/\r?\n/);
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    passages.push({ id: firstId + passages.length, file, line: start + 1, lineEnd: end, text: lines.slice(start, end).join('\n') });
    start = -1;
  };
  lines.forEach((line, index) => {
    if (line.trim() === '') return flush(index);
    if (start < 0) start = index;
    if (index - start + 1 >= maxLines) flush(index + 1);
  });
  flush(lines.length);
  return passages;
}

async function listFiles(folder: string, extensions: string[], maxFileBytes: number): Promise<{ path: string; signature: string }[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files: { path: string; signature: string }[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !extensions.includes(extname(entry.name).toLowerCase())) continue;
    const path = join(entry.parentPath, entry.name);
    if (path.split(/[\\/]/).some((part) => part.startsWith('.') || part === 'node_modules')) continue;
    const info = await stat(path);
    if (info.size <= maxFileBytes) files.push({ path, signature: `${path}:${info.size}:${info.mtimeMs}` });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

export class DocumentIndex {
  private signature = '';
  private search: MiniSearch<Passage> | undefined;

  constructor(private readonly options: Required<DocSearchOptions>) {}

  async query(query: string, limit: number): Promise<(Omit<Passage, 'id'> & { score: number })[]> {
    const index = await this.refresh();
    return index
      .search(query, { prefix: (term) => term.length > 3, fuzzy: 0.15, combineWith: 'OR' })
      .slice(0, limit)
      .map((hit) => ({ file: hit.file as string, line: hit.line as number, lineEnd: hit.lineEnd as number, score: Math.round(hit.score * 1000) / 1000, text: hit.text as string }));
  }

  private async refresh(): Promise<MiniSearch<Passage>> {
    let files: { path: string; signature: string }[];
    try {
      files = await listFiles(this.options.folder, this.options.extensions, this.options.maxFileBytes);
    } catch (error) {
      throw new ToolError('not-found', `cannot read the document folder ${this.options.folder}: ${(error as Error).message}`, 'point --docs at an existing folder of text files');
    }
    const signature = files.map((file) => file.signature).join('|');
    if (this.search && signature === this.signature) return this.search;
    const search = new MiniSearch<Passage>({ fields: ['text', 'file'], storeFields: ['file', 'line', 'lineEnd', 'text'] });
    let nextId = 0;
    for (const file of files) {
      const passages = splitPassages(relative(this.options.folder, file.path), await readFile(file.path, 'utf8'), this.options.passageLines, nextId);
      nextId += passages.length;
      search.addAll(passages);
    }
    this.search = search;
    this.signature = signature;
    return search;
  }
}

const inputSchema = z.strictObject({
  query: z.string().min(1).describe('words to look for'),
  limit: z.number().int().min(1).max(20).optional().describe('how many passages to return (default 3)'),
});

export function createDocSearchTool(options: DocSearchOptions) {
  const index = new DocumentIndex({ passageLines: 8, extensions: defaultExtensions, maxFileBytes: 2 * 1024 * 1024, ...options });
  return defineTool({
    name: 'doc_search',
    description: 'Searches the local document folder (BM25) and returns the best passages with their file and line numbers.',
    inputSchema,
    async call({ query, limit }) {
      const results = await index.query(query, limit ?? 3);
      return { query, results };
    },
  });
}

/**
 * Deterministic benchmark corpus: JSONL `{"text": …}` documents of 0.5–4 KB, ~90%
 * English-like text from a Zipf-distributed pseudo-word vocabulary, ~8% Chinese-like
 * text from common Han characters, plus planted exact duplicates (2%), near
 * duplicates (3%) and PII (e-mails, phones) so every cleaning operator has work.
 * Same seed → same bytes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mulberry32 } from '@chainlm/core';

const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'shi', 'ven', 'dor', 'al', 'e', 'in', 'on', 'ver', 'st', 'th', 'qu', 'pre', 'ment', 'ing', 'ed', 'er', 'ly', 'tion'];
const han = '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从';

export interface CorpusStats {
  bytes: number;
  documents: number;
  exactDuplicates: number;
  nearDuplicates: number;
}

export function generateCorpus(path: string, targetBytes: number, seed = 42): CorpusStats {
  const next = mulberry32(seed);
  const vocabulary = Array.from({ length: 8000 }, () => {
    const count = 1 + Math.floor(next() * 3);
    return Array.from({ length: count }, () => syllables[Math.floor(next() * syllables.length)]).join('');
  });
  // Zipf-ish: squaring a uniform favours low ranks.
  const word = () => vocabulary[Math.floor(next() * next() * vocabulary.length)];
  const english = () => {
    const sentences: string[] = [];
    const target = 500 + Math.floor(next() * 3500);
    let length = 0;
    while (length < target) {
      const words = Array.from({ length: 6 + Math.floor(next() * 14) }, word);
      words[0] = words[0][0].toUpperCase() + words[0].slice(1);
      const sentence = `${words.join(' ')}.`;
      sentences.push(sentence);
      length += sentence.length + 1;
    }
    return sentences.join(next() < 0.1 ? '\n' : ' ');
  };
  const chinese = () => Array.from({ length: 200 + Math.floor(next() * 800) }, (_, index) => (index % 17 === 16 ? '，' : han[Math.floor(next() * next() * han.length)])).join('') + '。';
  const fd = openSync(path, 'w');
  const stats: CorpusStats = { bytes: 0, documents: 0, exactDuplicates: 0, nearDuplicates: 0 };
  const recent: string[] = [];
  let buffer: string[] = [];
  let buffered = 0;
  while (stats.bytes < targetBytes) {
    const roll = next();
    let text: string;
    if (roll < 0.02 && recent.length > 0) {
      text = recent[Math.floor(next() * recent.length)];
      stats.exactDuplicates++;
    } else if (roll < 0.05 && recent.length > 0) {
      const words = recent[Math.floor(next() * recent.length)].split(' ');
      for (let edit = 0; edit < Math.max(1, words.length / 100); edit++) words[Math.floor(next() * words.length)] = word();
      text = words.join(' ');
      stats.nearDuplicates++;
    } else {
      text = roll < 0.13 ? chinese() : english();
      if (next() < 0.05) text += ` Contact ${word()}.${word()}@example.com or +1 415-555-${String(1000 + Math.floor(next() * 8999))}.`;
      recent.push(text);
      if (recent.length > 200) recent.shift();
    }
    const line = `${JSON.stringify({ text })}\n`;
    buffer.push(line);
    buffered += line.length;
    stats.bytes += Buffer.byteLength(line);
    stats.documents++;
    if (buffered > 8 << 20) {
      writeSync(fd, buffer.join(''));
      buffer = [];
      buffered = 0;
    }
  }
  writeSync(fd, buffer.join(''));
  closeSync(fd);
  return stats;
}

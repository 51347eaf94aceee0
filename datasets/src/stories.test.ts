import { describe, expect, it } from 'vitest';
import { generateStories, storyVocabulary } from './stories.js';

describe('generateStories', () => {
  it('is deterministic by seed and differs across seeds', () => {
    expect(generateStories(50, 3)).toEqual(generateStories(50, 3));
    expect(generateStories(5, 3).map((story) => story.text)).not.toEqual(generateStories(5, 4).map((story) => story.text));
  });

  it('keeps a small controlled vocabulary and varied stories', () => {
    const stories = generateStories(5000, 1);
    const vocabulary = storyVocabulary(stories);
    expect(vocabulary.size).toBeLessThan(400);
    expect(vocabulary.size).toBeGreaterThan(100);
    const distinct = new Set(stories.map((story) => story.text));
    expect(distinct.size).toBeGreaterThan(4900);
  });

  it('tells stories whose text states their facts', () => {
    for (const story of generateStories(200, 9)) {
      const { facts, text } = story;
      expect(text).toContain(facts.hero);
      expect(text).toContain(facts.toy);
      expect(text).toContain(facts.place);
      expect(text).toContain(facts.color);
      expect(text).toMatch(/^[A-Z].*[.!"]$/s);
      expect(text).not.toMatch(/undefined|\ba [aeiou]\w* (?:girl|boy)/);
      if (facts.relation === 'sister') expect(text).toMatch(new RegExp(`sister (?:Lily|Mia|Anna|Sara|Emma|Lucy|Zoe|Ella|Amy|Rose)\\b`));
      if (facts.relation === 'brother') expect(text).toMatch(new RegExp(`brother (?:Tom|Ben|Max|Sam|Leo|Tim|Jack|Finn|Noah|Dan)\\b`));
    }
  });
});

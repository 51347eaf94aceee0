/**
 * A children's-story corpus from a grammar with a controlled vocabulary, in the
 * spirit of TinyStories: short, fluent, coherent stories that a ~2–5 M parameter
 * model can learn in minutes. Each story is built from one set of facts (a hero, a
 * friend, a toy, a place, an animal, a problem, a feeling), so the instruction set
 * can ask questions whose answers are in the story.
 */
import { SeededRandom } from '@chainlm/core';

const girls = ['Lily', 'Mia', 'Anna', 'Sara', 'Emma', 'Lucy', 'Zoe', 'Ella', 'Amy', 'Rose'] as const;
const boys = ['Tom', 'Ben', 'Max', 'Sam', 'Leo', 'Tim', 'Jack', 'Finn', 'Noah', 'Dan'] as const;
const heroKinds = { girl: ['girl', 'little girl'], boy: ['boy', 'little boy'] } as const;
const adjectives = ['happy', 'kind', 'curious', 'brave', 'shy', 'funny', 'gentle', 'clever'] as const;
const colors = ['red', 'blue', 'green', 'yellow', 'pink', 'purple', 'orange', 'white'] as const;
const toys = ['ball', 'kite', 'teddy bear', 'boat', 'doll', 'truck', 'drum', 'balloon'] as const;
const places = ['park', 'garden', 'beach', 'forest', 'farm', 'lake', 'hill', 'school'] as const;
const activities = ['play', 'run', 'sing', 'dance', 'draw', 'read', 'jump', 'swim'] as const;
const animals = ['cat', 'dog', 'bird', 'rabbit', 'duck', 'frog', 'puppy', 'kitten'] as const;
const relations = ['friend', 'brother', 'sister', 'mom', 'dad', 'grandma'] as const;
const foods = ['apple', 'cake', 'cookie', 'sandwich', 'banana', 'pie'] as const;
const weathers = ['sunny', 'windy', 'cloudy', 'warm', 'cold'] as const;

export interface StoryFacts {
  hero: string;
  heroKind: string;
  gender: 'girl' | 'boy';
  adjective: string;
  color: string;
  toy: string;
  place: string;
  activity: string;
  companion: string;
  relation: string;
  animal: string;
  food: string;
  weather: string;
  problem: 'lost-toy' | 'sad-animal' | 'rain' | 'hungry';
  feelingBefore: string;
  feelingAfter: string;
}

export interface Story {
  id: string;
  text: string;
  facts: StoryFacts;
}

function chooseFacts(random: SeededRandom): StoryFacts {
  const gender = random.chance(0.5) ? 'girl' : 'boy';
  const hero = random.pick(gender === 'girl' ? girls : boys);
  const relation = random.pick(relations);
  const companionPool = (relation === 'sister' ? girls : relation === 'brother' ? boys : [...girls, ...boys]).filter((name) => name !== hero);
  const problem = random.pick(['lost-toy', 'sad-animal', 'rain', 'hungry'] as const);
  const feelings = { 'lost-toy': 'sad', 'sad-animal': 'worried', rain: 'sad', hungry: 'hungry' } as const;
  return {
    hero,
    heroKind: random.pick(heroKinds[gender]),
    gender,
    adjective: random.pick(adjectives),
    color: random.pick(colors),
    toy: random.pick(toys),
    place: random.pick(places),
    activity: random.pick(activities),
    companion: random.pick(companionPool),
    relation,
    animal: random.pick(animals),
    food: random.pick(foods),
    weather: random.pick(weathers),
    problem,
    feelingBefore: feelings[problem],
    feelingAfter: random.pick(['happy', 'glad', 'proud']),
  };
}

/** Renders the facts as a story; sentence choices vary, the facts stay true. */
function render(facts: StoryFacts, random: SeededRandom): string {
  const he = facts.gender === 'girl' ? 'She' : 'He';
  const his = facts.gender === 'girl' ? 'her' : 'his';
  const companion = ['mom', 'dad', 'grandma'].includes(facts.relation) ? `${his} ${facts.relation}` : `${his} ${facts.relation} ${facts.companion}`;
  const who = ['mom', 'dad', 'grandma'].includes(facts.relation) ? `${capitalize(his)} ${facts.relation}` : facts.companion;
  const article = /^[aeiou]/.test(facts.adjective) ? 'an' : 'a';
  const sentences: string[] = [
    random.pick([
      `Once upon a time, there was ${article} ${facts.adjective} ${facts.heroKind} named ${facts.hero}.`,
      `One ${facts.weather} day, ${article} ${facts.adjective} ${facts.heroKind} named ${facts.hero} woke up early.`,
      `There once was ${article} ${facts.adjective} ${facts.heroKind} called ${facts.hero}.`,
    ]),
    random.pick([
      `${he} loved to ${facts.activity} with ${his} ${facts.color} ${facts.toy}.`,
      `${facts.hero} had a ${facts.color} ${facts.toy}, and ${he.toLowerCase()} liked to ${facts.activity} every day.`,
    ]),
    random.pick([
      `One day, ${facts.hero} went to the ${facts.place} with ${companion}.`,
      `It was ${facts.weather}, so ${facts.hero} and ${companion} went to the ${facts.place}.`,
    ]),
  ];
  switch (facts.problem) {
    case 'lost-toy':
      sentences.push(
        `At the ${facts.place}, ${facts.hero} could not find ${his} ${facts.toy}.`,
        `${facts.hero} felt ${facts.feelingBefore}. "Where is my ${facts.toy}?" ${he.toLowerCase()} asked.`,
        `Then a little ${facts.animal} came out from behind a tree with the ${facts.color} ${facts.toy}.`,
        `${facts.hero} said, "Thank you, little ${facts.animal}!"`,
      );
      break;
    case 'sad-animal':
      sentences.push(
        `At the ${facts.place}, ${facts.hero} saw a little ${facts.animal} that was all alone.`,
        `${facts.hero} felt ${facts.feelingBefore}. "Are you lost?" ${he.toLowerCase()} asked the ${facts.animal}.`,
        `${who} helped ${facts.hero} find the ${facts.animal}'s home.`,
        `The ${facts.animal} was safe, and it jumped with joy.`,
      );
      break;
    case 'rain':
      sentences.push(
        `Suddenly, it began to rain, and ${facts.hero} felt ${facts.feelingBefore}.`,
        `They could not ${facts.activity} in the rain.`,
        `A kind ${facts.animal} showed them a dry place under a big tree.`,
        `Soon the sun came out again, and they played with the ${facts.color} ${facts.toy}.`,
      );
      break;
    case 'hungry':
      sentences.push(
        `After a long time at the ${facts.place}, ${facts.hero} felt ${facts.feelingBefore}.`,
        `${who} gave ${facts.hero} a big ${facts.food}.`,
        `${facts.hero} shared the ${facts.food} with a little ${facts.animal}.`,
        `The ${facts.animal} was happy, and so was ${facts.hero}.`,
      );
      break;
  }
  sentences.push(
    random.pick([
      `At the end of the day, ${facts.hero} felt ${facts.feelingAfter}.`,
      `${facts.hero} went home and felt ${facts.feelingAfter}.`,
      `From that day on, ${facts.hero} always took the ${facts.color} ${facts.toy} to the ${facts.place}.`,
    ]),
  );
  return sentences.join(' ');
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `count` stories, the same for the same seed. */
export function generateStories(count: number, seed = 1): Story[] {
  const random = new SeededRandom(seed);
  const stories: Story[] = [];
  for (let index = 0; index < count; index++) {
    const facts = chooseFacts(random);
    stories.push({ id: `story-${seed}-${index}`, text: render(facts, random), facts });
  }
  return stories;
}

/** Every word the grammar can produce, for vocabulary checks. */
export function storyVocabulary(stories: readonly Story[]): Set<string> {
  const words = new Set<string>();
  for (const story of stories) for (const word of story.text.toLowerCase().match(/[a-z']+/g) ?? []) words.add(word);
  return words;
}

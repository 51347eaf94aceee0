export { stableBucket } from './stable-bucket.js';
export { generateStories, storyVocabulary, type Story, type StoryFacts } from './stories.js';
export { generateInstructions, arithmeticProblem, workedAnswer, type ArithmeticFormat, type InstructionExample, type InstructionOptions, type ChatMessage, type ChatRole } from './instructions.js';
export { writeDemoData, type DemoDataOptions, type DemoDataFiles } from './write-demo-data.js';

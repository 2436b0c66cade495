import { defineCommand } from './spec.js';

/** The endpoint the completion scripts call (hidden from --help, as cobra's __complete is). */
export default defineCommand({
  name: 'complete',
  hidden: true,
  description: 'print completion candidates for a command line (the completion scripts call it)',
  arguments: [{ name: '[words...]', description: 'the words after `connector`; the last is the word being completed' }],
  examples: ["connector complete -- run petstore ''"],
  action: () => import('./complete.action.js'),
});

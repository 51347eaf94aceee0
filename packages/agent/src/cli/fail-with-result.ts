/**
 * For commands whose result must reach stdout even when they fail (`call` on a tool
 * error, `run` without an answer): print the result the way runProgram would, then
 * throw so the process exits 1 with the usual `error:`/`hint:` lines on stderr.
 */
import { AgentError } from '../errors.js';

export function failWithResult(json: boolean, result: unknown, humanText: string, error: AgentError): never {
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${humanText}\n`);
  throw error;
}

import { AgentError } from '../errors.js';
import { agentKinds, type Agent, type AgentKind, type AgentOptions } from './agent-types.js';
import { FunctionCallingAgent } from './function-agent.js';
import { ReActAgent } from './react-agent.js';
import { ReWOOAgent } from './rewoo-agent.js';

export function createAgent(kind: AgentKind | string, options: AgentOptions): Agent {
  switch (kind) {
    case 'react':
      return new ReActAgent(options);
    case 'function':
      return new FunctionCallingAgent(options);
    case 'rewoo':
      return new ReWOOAgent(options);
    default:
      throw new AgentError('agent-unknown', `unknown agent "${kind}"`, `use one of: ${agentKinds.join(', ')}`, 2);
  }
}

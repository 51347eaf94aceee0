/** A name → tool map that refuses silent overrides and lists tools in insertion order. */
import { AgentError } from '../errors.js';
import type { Tool } from './tool.js';

export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: Iterable<Tool> = []) {
    for (const tool of tools) this.register(tool);
  }

  register(tool: Tool): this {
    if (this.tools.has(tool.name)) {
      throw new AgentError('tool-duplicate', `a tool named "${tool.name}" is already registered`, 'give the second tool another name');
    }
    this.tools.set(tool.name, tool);
    return this;
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  find(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  get(name: string): Tool {
    const tool = this.tools.get(name);
    if (!tool) {
      throw new AgentError('tool-unknown', `no tool named "${name}"`, `available tools: ${this.names().join(', ') || '(none)'}`, 2);
    }
    return tool;
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  list(): Tool[] {
    return [...this.tools.values()];
  }

  get size(): number {
    return this.tools.size;
  }
}

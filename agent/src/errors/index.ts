export { AgentError, isAgentError, type AgentErrorOptions } from './agentError.ts';
export { AGENT_ERROR_CODES, type AgentErrorCode } from './codes.ts';
export { describeNetworkError } from './describeNetworkError.ts';

import { describe, expect, it } from 'vitest';
import { AgentError, isAgentError } from './index.ts';

describe('AgentError', () => {
  it('takes retryable from the code table unless told otherwise', () => {
    expect(new AgentError('download_failed', 'x').retryable).toBe(true);
    expect(new AgentError('model_corrupt', 'x').retryable).toBe(false);
    expect(new AgentError('model_corrupt', 'x', { retryable: true }).retryable).toBe(true);
  });

  it('is recognised by code and keeps its cause', () => {
    const cause = new Error('socket hang up');
    const err = new AgentError('download_failed', 'mirror unreachable', { cause });
    expect(isAgentError(err, 'download_failed')).toBe(true);
    expect(isAgentError(err, 'model_corrupt')).toBe(false);
    expect(isAgentError(new Error('x'))).toBe(false);
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('AgentError');
  });
});

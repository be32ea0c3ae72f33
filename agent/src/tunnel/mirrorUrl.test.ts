import { describe, expect, it } from 'vitest';
import { mirrorUrl } from './tunnelClient.ts';

describe('mirrorUrl: where a load frame\'s weights are fetched from', () => {
  const sha = 'a'.repeat(64);

  it('resolves the hub\'s path against the hub URL this node uses', () => {
    expect(mirrorUrl(`/v1/nodes/mirror/${sha}`, 'http://hub:8080')).toBe(`http://hub:8080/v1/nodes/mirror/${sha}`);
    expect(mirrorUrl(`/v1/nodes/mirror/${sha}`, 'https://hub.example/')).toBe(`https://hub.example/v1/nodes/mirror/${sha}`);
  });

  it('keeps an absolute URL on the hub\'s own origin', () => {
    expect(mirrorUrl(`http://hub:8080/v1/nodes/mirror/${sha}`, 'http://hub:8080')).toBe(`http://hub:8080/v1/nodes/mirror/${sha}`);
  });

  it('refuses another origin, so the node credential never leaves for it', () => {
    expect(mirrorUrl(`http://elsewhere:8080/v1/nodes/mirror/${sha}`, 'http://hub:8080')).toBeNull();
    expect(mirrorUrl(`//elsewhere/v1/nodes/mirror/${sha}`, 'http://hub:8080')).toBeNull();
    expect(mirrorUrl(null, 'http://hub:8080')).toBeNull();
  });
});

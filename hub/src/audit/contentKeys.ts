/**
 * Keys that would carry prompt or completion content. Invariant 3 says no content is ever stored in
 * the audit log, so an entry holding any of these keys — anywhere, at any depth, in any letter case —
 * is *rejected* by append(), not silently stripped: the only way such a key gets there is a bug in the
 * hub, and a loud refusal surfaces that bug in the first test that hits it, where stripping would hide
 * it (and would keep whatever content sat under a key not on this list). On the dispatch path a
 * rejected append refuses the request, which is the fail-closed outcome invariant 1 asks for.
 */
export const CONTENT_KEYS = ['messages', 'prompt', 'prompts', 'input', 'content', 'completion', 'choices', 'text'] as const;

export type ContentKey = (typeof CONTENT_KEYS)[number];

const banned = new Set<string>(CONTENT_KEYS);

export function isContentKey(key: string): boolean {
  return banned.has(key.toLowerCase());
}

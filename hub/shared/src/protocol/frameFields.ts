/** Field readers shared by the two frame parsers (parseNodeMessage.ts, parseHubMessage.ts). */

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function nonNeg(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}

/** The strings of a list (at most 1000), anything else dropped; not a list → empty. */
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').slice(0, 1000) : [];
}

/** A frame's JSON object with its `type`, or why it is not one. The first step of both parsers. */
export function typedFrame(raw: string): { frame: Record<string, unknown> & { type: string } } | { invalid: string } {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { invalid: 'frame is not JSON' };
  }
  if (!isObj(v) || typeof v.type !== 'string') return { invalid: 'frame has no type' };
  return { frame: v as Record<string, unknown> & { type: string } };
}

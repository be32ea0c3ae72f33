/** Trust classes in ascending order: a key's `min_trust` admits its class and every class after it. */
export const TRUST_CLASSES = ['community', 'verified', 'trusted', 'confidential'] as const;
export type TrustClass = (typeof TRUST_CLASSES)[number];

export function isTrustClass(v: unknown): v is TrustClass {
  return typeof v === 'string' && (TRUST_CLASSES as readonly string[]).includes(v);
}

export function trustRank(t: TrustClass): number {
  return TRUST_CLASSES.indexOf(t);
}

export type Fleet = 'own' | 'any';

/** The routing policy carried by an API key. `null` means "no constraint" on that dimension. */
export interface KeyPolicy {
  fleet: Fleet;
  regions: string[] | null;
  min_trust: TrustClass | null;
  models: string[] | null;
}

/** Region identifiers: lower-case slugs such as `eu`, `eu-west`, `de-fra-1`. */
export const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export { TRUST_CLASSES, isTrustClass, trustRank, REGION_PATTERN, type TrustClass, type Fleet, type KeyPolicy } from './types.ts';

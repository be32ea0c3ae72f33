import { entryHeader } from '@porten/bundle/deterministicTar';

/** A tar entry header as bundles write them (for tests that add an entry to a bundle). */
export const entryHead = (path: string, size: number): Buffer => entryHeader(path, 'file', size, 0o644);

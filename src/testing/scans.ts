/** Reading whole scans, and expecting store errors, in contract tests. */
import { expect } from 'vitest';
import { StoreError } from '../errors/index.js';
import type { IndexScanOptions, Store } from '../store/store.js';

/** Resolves after `ms` milliseconds (for TTLs to run out). @internal */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every key `store.scan(match)` yields (sorted, de-duplicated), failing the test if a batch is empty.
 *
 * @example
 * expect(await scanAll(store, 'app:session:*')).toEqual(['app:session:1', 'app:session:2']);
 */
export async function scanAll(store: Store, match: string, count?: number): Promise<string[]> {
  const seen = new Set<string>();
  for await (const batch of store.scan(match, count === undefined ? undefined : { count })) {
    expect(batch.length).toBeGreaterThan(0);
    for (const key of batch) seen.add(key);
  }
  return [...seen].sort();
}

/**
 * Every member `store.indexScan(index, options)` yields (sorted, de-duplicated), failing the test if a
 * batch is empty.
 *
 * @example
 * expect(await indexScanAll(store, 'app:session#index')).toEqual(['app:session:1']);
 */
export async function indexScanAll(store: Store, index: string, options?: IndexScanOptions): Promise<string[]> {
  const seen = new Set<string>();
  for await (const batch of store.indexScan(index, options)) {
    expect(batch.length).toBeGreaterThan(0);
    for (const key of batch) seen.add(key);
  }
  return [...seen].sort();
}

/** Expects `promise` to reject with a {@link StoreError}, and answers it. @internal */
export async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

import { readFileSync } from 'node:fs';
import type { ChildMessage } from './child.js';
import type { GraphqlRequest } from './http-load.js';

/** The site's zone (the product's default SITE_TIMEZONE): days, months and years are local. */
export const SITE_TIMEZONE = 'Asia/Jakarta';

/** The dashboard's own operations, as checked in (operations/*.graphql). */
export function operation(file: string, operationName?: string, variables?: Record<string, unknown>): GraphqlRequest {
  const query = readFileSync(new URL(`../../operations/${file}`, import.meta.url), 'utf8');
  return { query, ...(operationName ? { operationName } : {}), ...(variables ? { variables } : {}) };
}

export const BASELINE_OP: GraphqlRequest = { query: '{ __typename }' };

/** Calls to the store of record since the last snapshot, from the product host. */
export interface StoreCalls extends ChildMessage {
  readonly calls: Record<string, number>;
  readonly callMs: Record<string, number>;
}

/** The store's read methods: each call is a round trip (a query, or a hand-off to a read worker). */
export const STORE_READS = ['scan', 'latestReadings', 'readings', 'downsample', 'panels'] as const;

/** Store read round trips in a call count snapshot (writes excluded). */
export function storeReads(calls: Record<string, number>): number {
  return STORE_READS.reduce((sum, m) => sum + (calls[m] ?? 0), 0);
}

export function near(actual: number, expected: number, tolerance = 0.01): boolean {
  return Math.abs(actual - expected) <= tolerance;
}

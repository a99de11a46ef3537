/**
 * Whether a store's file is known to be damaged (found by the start-up check or by a query that
 * met a damaged page). A damaged store refuses writes, so nothing more is acknowledged into it.
 */
export interface StoreCondition {
  /** What is wrong and what to do, naming the file; null while no damage is known. */
  readonly damaged: string | null;
}

export interface StoreConditionSource {
  storeCondition(): StoreCondition;
}

/** The store's condition when it reports one (the SQLite store and journal do). */
export function storeConditionOf(store: object): StoreCondition | null {
  return 'storeCondition' in store && typeof store.storeCondition === 'function'
    ? (store as StoreConditionSource).storeCondition()
    : null;
}

/** A write refused because the store's file is damaged. */
export class DamagedStoreError extends Error {
  readonly code = 'STORE_DAMAGED';
  constructor(message: string) {
    super(message);
    this.name = 'DamagedStoreError';
  }
}

/**
 * The API key the user typed, kept for this browser tab only (sessionStorage): closing the tab
 * forgets it. Storage can be disabled (private modes, policies); the page then asks again.
 */
const STORAGE_KEY = 'energy-dashboard.api-key';

export function loadApiKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function saveApiKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Not kept: the key still works until the page is reloaded.
  }
}

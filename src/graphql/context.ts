import type { Viewer } from '../models/viewer.js';
import type { Services } from '../services/services.js';

export type { Viewer };

export interface Context {
  readonly services: Services;
  readonly viewer: Viewer;
}

/** A fresh context per operation (scope-auth caches its answers on it). */
export function createContext(services: Services, viewer: Viewer): Context {
  return { services, viewer };
}

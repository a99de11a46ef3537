import type { ApiRole } from './admin-change.js';

/** Who is asking: an API key's or a token's holder, or the open development mode. */
export interface Viewer {
  /** For the audit record and logs (never the key itself). */
  readonly name: string;
  /** null: not authenticated (refused wherever a role is needed). */
  readonly role: ApiRole | null;
  /** The panels this viewer may see; null: all. */
  readonly panels: ReadonlySet<string> | null;
  /** When the credentials expire (long-lived WebSockets are closed then); null: never. */
  readonly expiresAt: Date | null;
}

/**
 * Which panels a caller may see: all (null), or a tenant's floors (an API key limited to some
 * panels). Applied to every list, figure and subscription.
 */
export type PanelScope = Viewer['panels'];

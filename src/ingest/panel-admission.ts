import type { RejectReason } from './reject-reasons.js';

/** Why a valid reading's panel is not admitted, or null when it is. */
export type AdmissionRefusal = { readonly reason: Extract<RejectReason, 'panel_retired' | 'panel_limit'>; readonly detail: string } | null;

/**
 * Which panels readings are stored for: anyone may publish to any `DATA/PM/<id>`, and every new id
 * becomes a panel in every list, summary and live view. Retired panels stay out, and no more than
 * MAX_PANELS panels are ever known.
 */
export interface PanelAdmission {
  /**
   * @param newInBatch panels not yet known that were admitted earlier in the same write (they
   *   count towards the limit although the live state has not seen them yet).
   */
  check(panelId: string, newInBatch: ReadonlySet<string>): AdmissionRefusal;
}

export interface PanelAdmissionOptions {
  /** MAX_PANELS. */
  readonly maxPanels: number;
  /** Panels retired in the admin record. */
  readonly retired: () => ReadonlySet<string>;
  /** Whether the panel is known (has stored readings). */
  readonly known: (panelId: string) => boolean;
  /** How many panels are known. */
  readonly count: () => number;
}

export function panelAdmission(options: PanelAdmissionOptions): PanelAdmission {
  return {
    check(panelId, newInBatch) {
      if (options.retired().has(panelId)) {
        return { reason: 'panel_retired', detail: `panel ${panelId} is retired; its readings are no longer stored (bring it back to store them again)` };
      }
      if (options.known(panelId) || newInBatch.has(panelId)) return null;
      if (options.count() + newInBatch.size >= options.maxPanels) {
        return {
          reason: 'panel_limit',
          detail: `panel ${panelId} is new and ${options.maxPanels} panels (MAX_PANELS) are already known; retire unused panels or raise MAX_PANELS`,
        };
      }
      return null;
    },
  };
}

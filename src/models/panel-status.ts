export const PANEL_STATUSES = ['ONLINE', 'OFFLINE'] as const;
export type PanelStatus = (typeof PANEL_STATUSES)[number];

export interface PanelStatusChange {
  readonly panelId: string;
  readonly status: PanelStatus;
  /** When the change happened: the reading time that revived it, or the instant it timed out. */
  readonly at: Date;
}

import { CSV_DIALECTS } from '../../services/export/csv-dialect.js';
import { EXPORT_KINDS } from '../../services/export/export-request.js';
import { UserInputError } from '../../services/user-input-error.js';
import { builder } from '../builder.js';
import { UserError, type UserErrorShape } from './common.js';

const ExportKind = builder.enumType('ExportKind', {
  description:
    'What a CSV export holds (columns: docs/export.md). READINGS: raw readings as stored; HISTORY: windows of `every` with energy by the counting rule; ' +
    'DAILY and MONTHLY: the summaries; BILLS: one row per monthly bill; BILL_LINES: one row per bill line.',
  values: Object.fromEntries(EXPORT_KINDS.map((kind) => [kind.toUpperCase().replace('-', '_'), { value: kind }])) as Record<
    string,
    { value: (typeof EXPORT_KINDS)[number] }
  >,
});

const ExportFormat = builder.enumType('ExportFormat', {
  description:
    'CSV: comma, dot decimals, ISO 8601 times with the site offset (for programs). EXCEL_ID: semicolon, comma decimals, a UTF-8 byte order mark, ' +
    'times as YYYY-MM-DD HH:mm:ss with the offset in a column of its own (what Excel with Indonesian regional settings opens as columns).',
  values: Object.fromEntries(CSV_DIALECTS.map((format) => [format.toUpperCase().replace('-', '_'), { value: format }])) as Record<
    string,
    { value: (typeof CSV_DIALECTS)[number] }
  >,
});

const CreateExportLinkInput = builder.inputType('CreateExportLinkInput', {
  fields: (t) => ({
    kind: t.field({ type: ExportKind, required: true }),
    panelId: t.id({ required: false, description: 'Absent: the whole building (the panels the caller sees).' }),
    from: t.string({ required: true, description: 'A local date (YYYY-MM-DD, its local midnight) or an ISO 8601 instant with its offset; inclusive.' }),
    to: t.string({ required: true, description: 'As `from`; exclusive. At most 10 years after `from`.' }),
    every: t.string({ required: false, description: 'HISTORY only: the window length, from 1m to 366d (e.g. "15m", "1h", "1d").' }),
    format: t.field({ type: ExportFormat, required: false, defaultValue: 'csv' }),
  }),
});

interface ExportLinkPayloadShape {
  readonly url: string | null;
  readonly expiresAt: Date | null;
  readonly userErrors: readonly UserErrorShape[];
}

const CreateExportLinkPayload = builder.objectRef<ExportLinkPayloadShape>('CreateExportLinkPayload').implement({
  fields: (t) => ({
    url: t.exposeString('url', {
      nullable: true,
      description: "A path on this server to GET the CSV from without an Authorization header (a browser download); null when refused. Do not share it: it reads as the caller until it expires.",
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When the link stops working (EXPORT_LINK_TTL, never after the caller’s credential).' }),
    userErrors: t.field({ type: [UserError], resolve: (payload) => payload.userErrors }),
  }),
});

builder.mutationFields((t) => ({
  createExportLink: t.field({
    type: CreateExportLinkPayload,
    description:
      'A short-lived signed link to download a CSV export as this caller (any role; the same panels as the API). With an Authorization header, ' +
      'GET /export/<kind>.csv?from=…&to=… works without a link (docs/export.md).',
    // Reading data needs a viewer, not the operator role mutations need: the link only reads.
    skipTypeScopes: true,
    authScopes: { viewer: true },
    args: { input: t.arg({ type: CreateExportLinkInput, required: true }) },
    resolve: async (_root, { input }, { services, viewer }): Promise<ExportLinkPayloadShape> => {
      const request = {
        kind: input.kind,
        from: input.from,
        to: input.to,
        format: input.format ?? 'csv',
        ...(input.panelId == null ? {} : { panelId: String(input.panelId) }),
        ...(input.every == null ? {} : { every: input.every }),
      };
      try {
        const { path, expiresAt } = await services.exports.link(viewer, request);
        return { url: path, expiresAt, userErrors: [] };
      } catch (error) {
        if (!(error instanceof UserInputError)) throw error;
        const unknown = error.reason === 'UNKNOWN_PANEL';
        return { url: null, expiresAt: null, userErrors: [{ field: unknown ? ['input', 'panelId'] : ['input'], code: unknown ? 'UNKNOWN_PANEL' : 'INVALID_VALUE', message: error.message }] };
      }
    },
  }),
}));

import { useState } from 'preact/hooks';
import { useApi } from '../api/client.js';
import { toApiError, type ApiError } from '../api/errors.js';
import { CreateExportLinkDocument, type ExportFormat, type ExportKind } from '../generated/graphql.js';
import { useI18n } from '../i18n/i18n.js';
import { WidgetError } from './WidgetError.js';

/** What one download holds: the arguments of `createExportLink` but the format (docs/export.md). */
export interface ExportSpec {
  readonly kind: ExportKind;
  /** null: the whole building (the caller's panels). */
  readonly panelId: string | null;
  /** A local date YYYY-MM-DD or an ISO instant; inclusive. */
  readonly from: string;
  /** As `from`; exclusive. */
  readonly to: string;
  /** HISTORY only: the window length. */
  readonly every?: string;
}

const FORMATS: ReadonlyArray<{ readonly format: ExportFormat; readonly label: 'downloadCsv' | 'downloadExcelId' }> = [
  { format: 'CSV', label: 'downloadCsv' },
  { format: 'EXCEL_ID', label: 'downloadExcelId' },
];

/**
 * CSV downloads of what a widget shows, plain and for Excel with Indonesian settings. A plain
 * link cannot carry the Authorization header, so a click asks the API for a short-lived signed
 * link (createExportLink) and then follows it: the server answers with an attachment, so the page
 * stays where it is while the browser saves the file.
 */
export function DownloadButtons({ spec, name }: { readonly spec: ExportSpec; readonly name: string }) {
  const { t } = useI18n();
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const download = async (format: ExportFormat) => {
    setBusy(true);
    setError(null);
    try {
      const { every, ...rest } = spec;
      const input = { ...rest, panelId: spec.panelId ?? undefined, format, ...(every ? { every } : {}) };
      const { createExportLink: answer } = await api.query(CreateExportLinkDocument, { input });
      const refusal = answer.userErrors[0];
      if (!answer.url) throw toApiError({ message: refusal?.message ?? 'No link was made.', extensions: { code: refusal?.code } });
      location.assign(answer.url);
    } catch (failure: unknown) {
      setError(toApiError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="downloads no-print" role="group" aria-label={t('downloadLabel', { what: name })} data-testid={`download-${spec.kind.toLowerCase()}`}>
      {FORMATS.map(({ format, label }) => (
        <button key={format} type="button" class="button secondary" disabled={busy} data-format={format} onClick={() => void download(format)}>
          {t(label)}
        </button>
      ))}
      {error && <WidgetError what={t('downloadWhat')} error={error} />}
    </div>
  );
}

import { useI18n } from '../i18n/i18n.js';

export interface FigureProps {
  /** Names the figure for tests and scripts (`data-field`). */
  readonly field: string;
  readonly label: string;
  /** The API's exact number behind the text (`data-value`); none while unknown. */
  readonly value: number | string | null | undefined;
  readonly text: string;
  /** For an amount of money: whether tax is in it, said beside the label. */
  readonly tax?: 'included' | 'excluded';
}

/** One labelled figure of a description list (`<dl>`): the text a person reads, the number a machine reads. */
export function Figure({ field, label, value, text, tax }: FigureProps) {
  const { t } = useI18n();
  return (
    <div>
      <dt>
        {label}
        {tax && (
          <>
            {' '}
            <span class="tax" data-tax={tax}>
              ({t(tax === 'included' ? 'taxIncluded' : 'taxExcluded')})
            </span>
          </>
        )}
      </dt>
      <dd data-field={field} data-value={value ?? undefined}>
        {text}
      </dd>
    </div>
  );
}

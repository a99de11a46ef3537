export interface FigureProps {
  /** Names the figure for tests and scripts (`data-field`). */
  readonly field: string;
  readonly label: string;
  /** The API's exact number behind the text (`data-value`); none while unknown. */
  readonly value: number | null | undefined;
  readonly text: string;
}

/** One labelled figure of a description list (`<dl>`): the text a person reads, the number a machine reads. */
export function Figure({ field, label, value, text }: FigureProps) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-field={field} data-value={value ?? undefined}>
        {text}
      </dd>
    </div>
  );
}

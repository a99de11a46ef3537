import type { Panel } from '../types.js';

export interface SelectOption {
  readonly value: string | number;
  readonly label: string;
}

export interface SelectProps {
  readonly label: string;
  readonly name: string;
  readonly value: string | number;
  readonly options: readonly SelectOption[];
  /** The picked option's value, as the `<select>` holds it (a string). */
  readonly onChange: (value: string) => void;
}

/** A labelled drop-down list of the widgets' headers. */
export function Select({ label, name, value, options, onChange }: SelectProps) {
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The panels as options: each by its name, its id the value. */
export function panelOptions(panels: readonly Pick<Panel, 'id' | 'name'>[]): SelectOption[] {
  return panels.map((panel) => ({ value: panel.id, label: panel.name }));
}

/** Years offered by the pickers: this one and the nine before. */
const YEARS_BACK = 10;

export function yearOptions(thisYear: number): SelectOption[] {
  return Array.from({ length: YEARS_BACK }, (_, index) => thisYear - index).map((value) => ({ value, label: String(value) }));
}

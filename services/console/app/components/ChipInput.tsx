import { useState } from 'preact/hooks';

export interface ChipIssue {
  /** Index of the chip, or null for the list as a whole. */
  index: number | null;
  message: string;
}

export interface ChipInputProps {
  id: string;
  label: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  /** "3 / 100 keywords": the limits, shown as you type. */
  counter: (values: readonly string[], typing: string) => string;
  /** What is wrong, live (the core's rules) or as the API refused it. */
  issues: readonly ChipIssue[];
  /** A note on a chip that is fine but worth knowing (e.g. merged with another after normalisation). */
  note?: (value: string, index: number, values: readonly string[]) => string | null;
  hint?: string;
}

/**
 * A list of short strings typed one at a time: Enter or a comma adds the typed one, Backspace
 * in an empty field takes the last back for editing, each chip has its own remove button.
 * The field keeps the list's label, so assistive technology and tests find it by name.
 */
export function ChipInput(props: ChipInputProps) {
  const [typing, setTyping] = useState('');
  const { id, label, values, onChange, issues } = props;
  const add = () => {
    const parts = typing.split(',').map((p) => p.trim()).filter((p) => p !== '');
    if (parts.length) onChange([...values, ...parts]);
    setTyping('');
  };
  const problemsOf = (i: number) => issues.filter((x) => x.index === i).map((x) => x.message);
  const describedBy = `${id}-counter ${id}-problems${props.hint ? ` ${id}-hint` : ''}`;
  return (
    <div class={`field chips${issues.length ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {props.hint && <p class="hint" id={`${id}-hint`}>{props.hint}</p>}
      <ul class="chip-list">
        {values.map((value, i) => {
          const problems = problemsOf(i);
          const note = props.note?.(value, i, values);
          return (
            <li key={`${i}:${value}`} class={`chip${problems.length ? ' bad' : ''}${note ? ' noted' : ''}`} title={[...problems, note].filter(Boolean).join('; ')}>
              <span>{value}</span>
              {note && <small class="chip-note">{note}</small>}
              <button type="button" aria-label={`Remove ${value}`} onClick={() => onChange(values.filter((_, j) => j !== i))}>×</button>
            </li>
          );
        })}
      </ul>
      <input
        id={id}
        type="text"
        value={typing}
        autocomplete="off"
        aria-invalid={issues.length > 0}
        aria-describedby={describedBy}
        onInput={(e) => {
          const v = (e.target as HTMLInputElement).value;
          if (v.endsWith(',')) {
            const parts = v.split(',').map((p) => p.trim()).filter((p) => p !== '');
            if (parts.length) onChange([...values, ...parts]);
            setTyping('');
          } else setTyping(v);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add();
          } else if (e.key === 'Backspace' && typing === '' && values.length) {
            e.preventDefault();
            setTyping(values[values.length - 1]!);
            onChange(values.slice(0, -1));
          }
        }}
        onBlur={add}
      />
      <p class="counter" id={`${id}-counter`} aria-live="polite">{props.counter(values, typing)}</p>
      <ul class="problems" id={`${id}-problems`} role="alert">
        {issues.map((x, i) => <li key={i}>{x.index !== null && values[x.index] !== undefined ? `“${values[x.index]}”: ` : ''}{x.message}</li>)}
      </ul>
    </div>
  );
}

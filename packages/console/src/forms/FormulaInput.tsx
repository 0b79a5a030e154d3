/** The text box of a field in formula mode (`=…`, a JSONata expression). */
export function FormulaInput({
  id,
  value,
  onChange,
  describedBy,
  invalid,
  multiline,
  inputRef,
}: {
  id: string;
  value: unknown;
  onChange: (v: unknown) => void;
  describedBy?: string;
  invalid: boolean;
  multiline: boolean;
  inputRef: React.MutableRefObject<HTMLInputElement | HTMLTextAreaElement | null>;
}) {
  const text = typeof value === 'string' ? value : value === undefined ? '' : `=${JSON.stringify(value)}`;
  const common = {
    id,
    className: 'mono formula',
    value: text,
    spellCheck: false,
    placeholder: '=trigger.field',
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
  };
  const set = (t: string) => onChange(t === '' ? undefined : t);
  return multiline ? (
    <textarea
      {...common}
      rows={3}
      ref={(el) => {
        inputRef.current = el;
      }}
      onChange={(e) => set(e.target.value)}
    />
  ) : (
    <input
      {...common}
      ref={(el) => {
        inputRef.current = el;
      }}
      onChange={(e) => set(e.target.value)}
    />
  );
}

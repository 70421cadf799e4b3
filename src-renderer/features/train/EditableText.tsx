import { useEffect, useState } from 'react';

/**
 * Text that becomes an input when clicked: Enter or leaving the field saves, Escape cancels.
 * Clicks stay inside it, so editing a cell of a clickable row does not also choose the row.
 */
export function EditableText({ value, placeholder, onSave, testId, multiline }: { value: string | null; placeholder: string; onSave: (v: string) => void; testId: string; multiline?: boolean }) {
  const [draft, setDraft] = useState<string | null>(null);
  useEffect(() => setDraft(null), [value]);
  if (draft === null) {
    return (
      <span className={`editable${value ? '' : ' muted'}`} title="click to edit" data-testid={testId} onClick={(e) => (e.stopPropagation(), setDraft(value ?? ''))}>
        {value || placeholder}
      </span>
    );
  }
  const save = (): void => {
    if (draft !== (value ?? '')) onSave(draft);
    setDraft(null);
  };
  const props = {
    autoFocus: true, value: draft, 'data-testid': `${testId}-input`,
    onClick: (e: React.MouseEvent) => e.stopPropagation(),
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setDraft(e.target.value),
    onBlur: save,
    onKeyDown: (e: React.KeyboardEvent) => {
      if (e.key === 'Escape') setDraft(null);
      // a note takes several lines: Ctrl/Cmd+Enter saves it
      if (e.key === 'Enter' && (!multiline || e.ctrlKey || e.metaKey)) (e.preventDefault(), save());
    },
  };
  return multiline ? <textarea rows={3} {...props} /> : <input {...props} />;
}

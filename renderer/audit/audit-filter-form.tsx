// The Audit view's filter: kind (a kind or the start of kinds, with suggestions), actor, and a time range.
// Each change applies as typed; a field that cannot be sent says why under the form and is marked invalid.
import { useId } from 'react';
import {
  AUDIT_KIND_SUGGESTIONS,
  EMPTY_AUDIT_FORM,
  type AuditFilterCheck,
  type AuditFilterForm,
} from './audit-filter.js';

interface Props {
  form: AuditFilterForm;
  check: AuditFilterCheck;
  onChange(form: AuditFilterForm): void;
}

const FIELDS: { field: keyof AuditFilterForm; label: string; type: string; placeholder?: string }[] = [
  { field: 'kind', label: 'Kind', type: 'text', placeholder: 'lock, task.awarded…' },
  { field: 'actor', label: 'Actor', type: 'text', placeholder: 'an agent, user, devmesh…' },
  { field: 'since', label: 'From', type: 'datetime-local' },
  { field: 'until', label: 'Until', type: 'datetime-local' },
];

export function AuditFilterFormView({ form, check, onChange }: Props) {
  const id = useId();
  const errorId = `${id}-error`;
  const empty = Object.values(form).every((v) => v === '');
  return (
    <form
      className="audit-filter"
      role="search"
      aria-label="Filter the audit chain"
      onSubmit={(e) => e.preventDefault()}
    >
      {FIELDS.map(({ field, label, type, placeholder }) => {
        const invalid = !check.ok && check.field === field;
        return (
          <label key={field} className="audit-field">
            <span>{label}</span>
            <input
              type={type}
              value={form[field]}
              placeholder={placeholder}
              list={field === 'kind' ? `${id}-kinds` : undefined}
              aria-invalid={invalid}
              aria-describedby={invalid ? errorId : undefined}
              data-testid={`audit-filter-${field}`}
              onChange={(e) => onChange({ ...form, [field]: e.target.value })}
            />
          </label>
        );
      })}
      <datalist id={`${id}-kinds`}>
        {AUDIT_KIND_SUGGESTIONS.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      <button type="button" className="btn" disabled={empty} onClick={() => onChange(EMPTY_AUDIT_FORM)}>
        Clear
      </button>
      {!check.ok && (
        <div id={errorId} className="audit-filter-error" role="alert" data-testid="audit-filter-error">
          {check.message}
        </div>
      )}
    </form>
  );
}

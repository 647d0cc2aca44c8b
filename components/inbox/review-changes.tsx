// A decision's audit of values: each changed field (and the data, when edited) with its value
// before the reviewer's edit and after it. Shared by the review page and the run page.
import { isBlockValue, valueText } from './review-format';

interface Values {
  data?: unknown;
  fields?: Record<string, unknown>;
}

function asValues(value: unknown): Values {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Values) : {};
}

function Cell({ value, kind }: { value: unknown; kind: 'before' | 'after' }) {
  const text = valueText(value);
  const className = `inbox-change-${kind}`;
  return isBlockValue(value) ? (
    <pre className={className}>{text}</pre>
  ) : (
    <span className={className}>{text}</span>
  );
}

/** Changed values as a table (Value, Before, After), or a note that nothing was changed. */
export function ReviewChanges({
  before,
  after,
  labels = {},
  caption = 'Changed values',
}: {
  before: unknown;
  after: unknown;
  /** Field names → the labels the reviewer saw. */
  labels?: Record<string, string>;
  caption?: string;
}) {
  const b = asValues(before);
  const a = asValues(after);
  const rows: { key: string; label: string; before: unknown; after: unknown }[] = [];
  if ('data' in a || 'data' in b) rows.push({ key: 'data', label: 'Data', before: b.data, after: a.data });
  const names = new Set([...Object.keys(b.fields ?? {}), ...Object.keys(a.fields ?? {})]);
  for (const name of names)
    rows.push({
      key: `fields.${name}`,
      label: labels[name] || name,
      before: b.fields?.[name],
      after: a.fields?.[name],
    });
  if (rows.length === 0) return <p className="muted">No values were changed.</p>;
  return (
    <div className="table-wrap">
      <table className="table inbox-changes">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Value</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.label}</th>
              <td>
                <Cell value={row.before} kind="before" />
              </td>
              <td>
                <Cell value={row.after} kind="after" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import { formatAmount } from "./format";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** "jobId" -> "job id", "stampUuid" -> "stamp uuid": the record's own names, readable. */
function label(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();
}

function flatten(value: Json, prefix: string, out: [string, string][]): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.push([prefix, "–"]);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix} › ${label(k)}` : label(k), out);
    return;
  }
  out.push([prefix || "value", show(prefix, value)]);
}

function show(key: string, v: Json): string {
  if (v === null) return "–";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number")
    return /\b(size|bytes)\b/.test(key) && v >= 1024
      ? `${formatAmount(v, "bytes")} (${v.toLocaleString("en")} bytes)`
      : v.toLocaleString("en");
  if (Array.isArray(v))
    return v.length === 0 ? "none" : v.map((x) => (typeof x === "object" && x !== null ? JSON.stringify(x) : String(x))).join(", ");
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * A JSON record (an audit entry's detail, a job's result) as labelled fields, with the exact JSON one click
 * away for copying into a script or a ticket.
 */
export function ReadableFields({ value, testId, compact }: { value: unknown; testId?: string; compact?: boolean }) {
  const rows: [string, string][] = [];
  flatten(value as Json, "", rows);
  return (
    <div className={compact ? "fields compact" : "fields"}>
      <dl data-testid={testId ? `${testId}-fields` : undefined}>
        {rows.map(([k, v]) => (
          <div key={k} className="field">
            <dt>{k}</dt>
            <dd className={/path|archive|file|uuid|id$/.test(k) ? "mono" : undefined}>{v}</dd>
          </div>
        ))}
      </dl>
      <details className="raw-json">
        <summary className="small muted">raw JSON</summary>
        <pre className="log small" data-testid={testId}>
          {JSON.stringify(value, null, 2)}
        </pre>
      </details>
    </div>
  );
}

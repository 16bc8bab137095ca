"use client";
import type { HealthDto } from "@/lib/api/contracts/health";
import { useHealth } from "./hooks/use-health";

type Check = HealthDto["checks"][number];
const LABEL: Record<Check["name"], string> = {
  process: "Process",
  transport: "Transport",
  database: "Database",
  backend: "Image backend",
  disk: "Disk space",
};

/** The admin's view of GET /api/health: the same checks monitoring sees, warnings first, refreshed every 30 s. */
export function SystemHealth() {
  const health = useHealth();
  const h = health.data;
  const problems = h?.checks.filter((c) => c.status !== "ok") ?? [];
  return (
    <section>
      <div className="toolbar">
        <h1>System</h1>
        {h && (
          <span className={`badge health-${h.status}`} data-testid="health-status">
            {h.status}
          </span>
        )}
        <span className="spacer" />
        <button type="button" onClick={() => void health.refetch()} disabled={health.isFetching} data-testid="health-refresh">
          {health.isFetching ? "Checking…" : "Check now"}
        </button>
      </div>
      {health.error && <div className="error">{(health.error as Error).message}</div>}
      {problems.length > 0 && (
        <ul className="health-warnings" data-testid="health-warnings">
          {problems.map((c) => (
            <li key={`${c.name}:${c.path ?? ""}`} className={`health-${c.status}`}>
              <strong>
                {LABEL[c.name]}
                {c.path ? ` (${c.path})` : ""}:
              </strong>{" "}
              {c.message}
            </li>
          ))}
        </ul>
      )}
      {h && (
        <table className="table" data-testid="health-table">
          <thead>
            <tr>
              <th>Check</th>
              <th>Status</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {h.checks.map((c) => (
              <tr key={`${c.name}:${c.path ?? ""}`} data-testid={`health-${c.name}`}>
                <td>
                  {LABEL[c.name]}
                  {c.role ? ` — ${c.role === "data" ? "data directory" : "image directories"}` : ""}
                  {c.path && <div className="mono small muted">{c.path}</div>}
                </td>
                <td>
                  <span className={`badge health-${c.status}`}>{c.status}</span>
                </td>
                <td>
                  {c.message}
                  {c.totalBytes ? <DiskBar free={c.freeBytes ?? 0} total={c.totalBytes} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">
        Monitoring can poll <code>GET /api/health</code> without signing in: 200 while the dashboard serves (status ok or warning), 503 when
        failing.
      </p>
    </section>
  );
}

function DiskBar({ free, total }: { free: number; total: number }) {
  const used = Math.min(100, Math.max(0, Math.round(((total - free) / total) * 100)));
  return (
    <div className="disk-bar" title={`${used} % used`}>
      <div style={{ width: `${used}%` }} />
    </div>
  );
}

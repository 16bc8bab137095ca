"use client";
import { useState } from "react";
import { formatTime } from "./format";
import { useAudit } from "./hooks/use-audit";
import { ReadableFields } from "./readable-fields";

export function AuditTable() {
  const [filter, setFilter] = useState({ user: "", image: "", action: "" });
  const [draft, setDraft] = useState(filter);
  const q = useAudit(filter);
  const entries = q.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <section>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
        }}
      >
        <h1>Audit</h1>
        <input
          placeholder="user"
          value={draft.user}
          onChange={(e) => setDraft({ ...draft, user: e.target.value })}
          data-testid="audit-filter-user"
        />
        <input
          placeholder="image"
          value={draft.image}
          onChange={(e) => setDraft({ ...draft, image: e.target.value })}
          data-testid="audit-filter-image"
        />
        <input
          placeholder="action (prefix: user.)"
          value={draft.action}
          onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          data-testid="audit-filter-action"
        />
        <button type="submit" data-testid="audit-apply">
          Filter
        </button>
      </form>
      {q.error && <div className="error">{(q.error as Error).message}</div>}
      <table className="table" data-testid="audit-table">
        <thead>
          <tr>
            <th>When</th>
            <th>User</th>
            <th>Action</th>
            <th>Image</th>
            <th>Node</th>
            <th>Target</th>
            <th>Outcome</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-testid="audit-row" data-action={e.action} data-user={e.username}>
              <td className="nowrap">{formatTime(e.at)}</td>
              <td>{e.username}</td>
              <td>{e.action}</td>
              <td>{e.image ?? ""}</td>
              <td>{e.node ?? ""}</td>
              <td className="mono">{e.target ?? ""}</td>
              <td>
                <span className={`badge outcome-${e.outcome}`}>{e.outcome}</span>
              </td>
              <td className="small">{e.detail == null ? "" : <ReadableFields value={e.detail} compact />}</td>
            </tr>
          ))}
          {q.isSuccess && entries.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                No entries match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {q.hasNextPage && (
        <button type="button" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          Older entries
        </button>
      )}
    </section>
  );
}

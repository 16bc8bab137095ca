"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api-client";

type Additions = { lines: string[]; notes: string[] };

/**
 * What the next own pack adds to the archive besides the tree's pending changes (packimage's changes from xCAT's
 * tables, the boot stamp unit): shown on request, since reading them runs xCAT's commands on the xCAT backend.
 */
export function PackAdditions({ image }: { image: string }) {
  const [open, setOpen] = useState(false);
  const q = useQuery({
    queryKey: ["pack-additions", image],
    queryFn: () => api<Additions>(`/api/images/${encodeURIComponent(image)}/pack/additions`),
    enabled: open,
  });
  return (
    <div data-testid="pack-additions" style={{ marginBottom: 8 }}>
      <button type="button" className="small" data-testid="pack-additions-toggle" onClick={() => setOpen(!open)}>
        {open ? "Hide what packing adds" : "What packing adds"}
      </button>
      {open && (
        <div className="small">
          <p className="muted">Added to the archive by the next pack, not to the tree: nodes receive these as packimage would give them.</p>
          {q.isLoading && <p className="muted">Reading…</p>}
          {q.error && <p className="error">{(q.error as Error).message}</p>}
          {q.data && q.data.lines.length === 0 && <p className="muted">Nothing: the archive will hold the tree as it is.</p>}
          {q.data && q.data.lines.length > 0 && (
            <ul className="mono" data-testid="pack-additions-lines">
              {q.data.lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          )}
          {q.data?.notes.map((n) => (
            <p key={n} className="muted" data-testid="pack-additions-note">
              {n}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}

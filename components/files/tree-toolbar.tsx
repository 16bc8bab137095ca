"use client";
import { useState } from "react";
import type { FilesApi } from "./files-api";
import styles from "./files.module.css";

/** Filter (loaded entries), jump to a path, and name search over the whole image. */
export function TreeToolbar(p: { fa: FilesApi; filter: string; setFilter: (v: string) => void; onJump: (path: string) => void }) {
  const [jump, setJump] = useState("");
  const [q, setQ] = useState("");
  const [hits, setHits] = useState<{ path: string; type: string }[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const search = async () => {
    if (!q.trim()) return setHits(null);
    try {
      const r = await p.fa.search(q.trim());
      setHits(r.hits);
      setNote(r.truncated ? "more matches exist; refine the search" : null);
    } catch (e) {
      setNote((e as Error).message);
    }
  };
  return (
    <div className={styles.treeTools}>
      <input placeholder="Filter loaded entries" value={p.filter} onChange={(e) => p.setFilter(e.target.value)} data-testid="tree-filter" />
      <form onSubmit={(e) => { e.preventDefault(); if (jump.trim()) p.onJump(jump.trim()); }}>
        <input placeholder="Go to path, e.g. /etc/fstab" value={jump} onChange={(e) => setJump(e.target.value)} data-testid="jump-path" />
      </form>
      <form onSubmit={(e) => { e.preventDefault(); void search(); }}>
        <input placeholder="Search names in the image (* ?)" value={q} onChange={(e) => setQ(e.target.value)} data-testid="name-search" />
      </form>
      {note && <p className="small muted">{note}</p>}
      {hits && (
        <ul className={styles.hits} data-testid="search-results">
          {hits.length === 0 && <li className="muted small">no match</li>}
          {hits.map((h) => (
            <li key={h.path}>
              <button type="button" className={styles.linkButton} onClick={() => p.onJump(h.path)} data-testid="search-hit">{h.path}</button>
              <span className="muted small"> {h.type}</span>
            </li>
          ))}
          <li><button type="button" className={styles.linkButton} onClick={() => setHits(null)}>close</button></li>
        </ul>
      )}
    </div>
  );
}

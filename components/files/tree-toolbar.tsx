"use client";
import { useState } from "react";
import styles from "./files.module.css";
import type { FilesApi } from "./files-api";

/** Filter (loaded entries), jump to a path, and name search over the whole image. */
export function TreeToolbar(p: { fa: FilesApi; filter: string; setFilter: (v: string) => void; onJump: (path: string) => void }) {
  const [hits, setHits] = useState<{ path: string; type: string }[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  // Inputs are read from the form on submit (uncontrolled): never a stale value when Enter follows typing.
  const field = (form: HTMLFormElement, name: string) => ((form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? "").trim();
  const search = async (q: string) => {
    if (!q) return setHits(null);
    try {
      const r = await p.fa.search(q);
      setHits(r.hits);
      setNote(r.truncated ? "more matches exist; refine the search" : null);
    } catch (e) {
      setNote((e as Error).message);
    }
  };
  return (
    <div className={styles.treeTools}>
      <input placeholder="Filter loaded entries" value={p.filter} onChange={(e) => p.setFilter(e.target.value)} data-testid="tree-filter" />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const v = field(e.currentTarget, "jump");
          if (v) p.onJump(v);
        }}
      >
        <input name="jump" placeholder="Go to path, e.g. /etc/fstab" data-testid="jump-path" />
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void search(field(e.currentTarget, "q"));
        }}
      >
        <input name="q" placeholder="Search names in the image (* ?)" data-testid="name-search" />
      </form>
      {note && <p className="small muted">{note}</p>}
      {hits && (
        <ul className={styles.hits} data-testid="search-results">
          {hits.length === 0 && <li className="muted small">no match</li>}
          {hits.map((h) => (
            <li key={h.path}>
              <button type="button" className={styles.linkButton} onClick={() => p.onJump(h.path)} data-testid="search-hit">
                {h.path}
              </button>
              <span className="muted small"> {h.type}</span>
            </li>
          ))}
          <li>
            <button type="button" className={styles.linkButton} onClick={() => setHits(null)}>
              close
            </button>
          </li>
        </ul>
      )}
    </div>
  );
}

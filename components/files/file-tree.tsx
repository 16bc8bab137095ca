"use client";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, useEffect, useRef } from "react";
import { isDirLike, type TreeRow } from "../hooks/use-file-tree";
import { VisibleName } from "../visible-name";
import { FileIcon } from "./file-icon";
import styles from "./files.module.css";
import { type FileEntryDto, formatSize, parentOf } from "./files-api";

const ROW = 22;

export type FileTreeProps = {
  rows: TreeRow[];
  selected: string | null;
  changed: Set<string>;
  /** paths others have open (presence) */
  othersOpen: Map<string, string[]>;
  height: number;
  onSelect: (e: FileEntryDto) => void;
  onOpen: (e: FileEntryDto) => void;
  onToggle: (path: string, open?: boolean) => void;
  onDropFiles?: (dir: string, files: FileList) => void;
};

function hoverText(e: FileEntryDto): string {
  const who = `${e.user ?? e.uid}:${e.group ?? e.gid}`;
  const link = e.type === "symlink" ? ` -> ${e.target}${e.dangling ? " (dangling)" : ""}` : "";
  return `${e.symbolic} ${e.octal} ${who} ${formatSize(e.size)}${link}`;
}

/**
 * The virtualized tree: only the rows in view (plus a margin) are in the DOM, so a directory of 10,000
 * entries renders as a few dozen elements. Arrows move, Right/Left open and close, Enter opens a file.
 */
export function FileTree(p: FileTreeProps) {
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const virtualizer = useVirtualizer({
    count: p.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 10,
  });
  const index = p.rows.findIndex((r) => r.entry.path === p.selected);
  // bring a selection made elsewhere (jump to path, a link with ?path=) into view once its row exists
  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    if (index < 0 || scrolledTo.current === p.selected) return;
    scrolledTo.current = p.selected;
    virtualizer.scrollToIndex(index, { align: "auto" });
  }, [index, p.selected, virtualizer]);

  const move = (i: number) => {
    const r = p.rows[Math.max(0, Math.min(p.rows.length - 1, i))];
    if (!r) return;
    p.onSelect(r.entry);
    virtualizer.scrollToIndex(p.rows.indexOf(r), { align: "auto" });
  };
  const onKey = (ev: KeyboardEvent) => {
    const cur = p.rows[index];
    const handled = ["ArrowDown", "ArrowUp", "ArrowRight", "ArrowLeft", "Enter", "Home", "End", "PageDown", "PageUp"];
    if (!handled.includes(ev.key)) return;
    ev.preventDefault();
    if (ev.key === "ArrowDown") move(index + 1);
    else if (ev.key === "ArrowUp") move(index - 1);
    else if (ev.key === "Home") move(0);
    else if (ev.key === "End") move(p.rows.length - 1);
    else if (ev.key === "PageDown") move(index + Math.floor(p.height / ROW));
    else if (ev.key === "PageUp") move(index - Math.floor(p.height / ROW));
    else if (!cur) move(0);
    else if (ev.key === "ArrowRight" && isDirLike(cur.entry)) {
      if (!cur.expanded) p.onToggle(cur.entry.path, true);
      else move(index + 1);
    } else if (ev.key === "ArrowLeft") {
      if (cur.expanded) p.onToggle(cur.entry.path, false);
      else move(p.rows.findIndex((r) => r.entry.path === parentOf(cur.entry.path)));
    } else if (ev.key === "Enter") {
      if (isDirLike(cur.entry)) p.onToggle(cur.entry.path);
      else p.onOpen(cur.entry);
    }
  };

  const renderRow = (i: number) => {
    const r = p.rows[i];
    const e = r.entry;
    const dir = isDirLike(e);
    const others = p.othersOpen.get(e.path);
    const cls = [styles.row, e.path === p.selected ? styles.selected : "", p.changed.has(e.path) ? styles.changed : ""].join(" ");
    return (
      // biome-ignore lint/a11y/useKeyWithClickEvents: the tree takes the keys for its rows (arrows, Enter: onKey below)
      <div
        role="treeitem"
        tabIndex={-1}
        aria-selected={e.path === p.selected}
        aria-expanded={dir ? r.expanded : undefined}
        aria-level={r.depth + 1}
        className={cls}
        style={{ paddingLeft: 6 + r.depth * 14 }}
        title={hoverText(e)}
        data-testid="tree-row"
        data-path={e.path}
        data-changed={p.changed.has(e.path) ? "true" : undefined}
        data-selected={e.path === p.selected ? "true" : undefined}
        onClick={() => {
          p.onSelect(e);
          if (dir) p.onToggle(e.path);
          else p.onOpen(e);
        }}
        onDragOver={dir && p.onDropFiles ? (ev) => ev.preventDefault() : undefined}
        onDrop={
          dir && p.onDropFiles
            ? (ev) => {
                ev.preventDefault();
                ev.stopPropagation();
                p.onDropFiles?.(e.path, ev.dataTransfer.files);
              }
            : undefined
        }
      >
        <span className={styles.twisty}>{dir ? (r.loading ? "…" : r.expanded ? "▾" : "▸") : ""}</span>
        <FileIcon entry={e} />
        <span className={styles.name}>
          <VisibleName name={e.name} />
        </span>
        {e.type === "symlink" && (
          <span className={e.dangling ? styles.dangling : styles.target} data-testid={e.dangling ? "dangling" : undefined}>
            → {e.target}
          </span>
        )}
        {p.changed.has(e.path) && (
          <span className={styles.changedMark} title="changed since unpack">
            ●
          </span>
        )}
        {others && (
          <span className={styles.presence} title={`open by ${others.join(", ")}`} data-testid="tree-presence">
            ◉ {others.length}
          </span>
        )}
      </div>
    );
  };

  return (
    <div role="tree" tabIndex={0} onKeyDown={onKey} className={styles.treeBox} data-testid="file-tree" aria-label="file tree">
      <div ref={scrollRef} style={{ height: p.height, overflow: "auto", position: "relative" }} data-testid="tree-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((v) => (
            <div key={v.key} style={{ position: "absolute", top: v.start, left: 0, right: 0, height: ROW }}>
              {renderRow(v.index)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

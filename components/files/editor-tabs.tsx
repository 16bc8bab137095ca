"use client";
import type { OpenFile } from "../hooks/use-open-files";
import { VisibleName, visibleName } from "../visible-name";
import styles from "./files.module.css";
import { baseName } from "./files-api";

/** Tab bar: one tab per open file, a dot when modified, who else has it open. */
export function EditorTabs(p: {
  tabs: OpenFile[];
  active: string | null;
  othersOpen: Map<string, string[]>;
  onActivate: (path: string) => void;
  onClose: (path: string) => void;
}) {
  return (
    <div className={styles.tabs} role="tablist" data-testid="editor-tabs">
      {p.tabs.map((t) => {
        const others = t.data ? p.othersOpen.get(t.data.entry.path) : undefined;
        return (
          <div
            key={t.path}
            role="tab"
            aria-selected={t.path === p.active}
            className={`${styles.tab} ${t.path === p.active ? styles.tabActive : ""}`}
            data-testid="editor-tab"
            data-path={t.path}
            data-modified={t.modified ? "true" : "false"}
            data-deleted={t.deletedBy ? "true" : "false"}
            title={visibleName(t.path)}
            tabIndex={t.path === p.active ? 0 : -1}
            onClick={() => p.onActivate(t.path)}
            onKeyDown={(e) => {
              if (e.target === e.currentTarget && (e.key === "Enter" || e.key === " ")) {
                e.preventDefault();
                p.onActivate(t.path);
              }
            }}
          >
            <span
              style={t.deletedBy ? { textDecoration: "line-through" } : undefined}
              title={t.deletedBy ? `deleted by ${t.deletedBy}` : undefined}
            >
              <VisibleName name={baseName(t.path)} />
            </span>
            {t.modified && (
              <span className={styles.modifiedDot} data-testid="tab-modified">
                ●
              </span>
            )}
            {t.changedBy && (
              <span className={styles.warnText} title={`saved by ${t.changedBy}`}>
                ⚠
              </span>
            )}
            {others && (
              <span className={styles.presence} data-testid="tab-presence" title={`also open by ${others.join(", ")}`}>
                ◉ {others.join(", ")}
              </span>
            )}
            <button
              type="button"
              className={styles.tabClose}
              aria-label={`close ${t.path}`}
              data-testid="tab-close"
              onClick={(e) => {
                e.stopPropagation();
                if (!t.modified || window.confirm(`Discard unsaved changes to ${t.path}?`)) p.onClose(t.path);
              }}
            >
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}

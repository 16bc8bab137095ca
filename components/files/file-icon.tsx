import type { FileEntryDto } from "./files-api";

const icons: Record<string, string> = { dir: "📁", file: "📄", symlink: "🔗", char: "⌨", block: "💽", fifo: "⇆", socket: "🔌" };

/** Type icon; a symlink shows its target's kind, and a dangling one is marked broken. */
export function FileIcon({ entry, open }: { entry: FileEntryDto; open?: boolean }) {
  if (entry.type === "dir") return <span aria-hidden>{open ? "📂" : "📁"}</span>;
  if (entry.type === "symlink") return <span aria-hidden>{entry.dangling ? "⛓️‍💥" : entry.targetType === "dir" ? "📁" : "🔗"}</span>;
  if (entry.type === "file" && entry.mode & 0o111) return <span aria-hidden>⚙️</span>;
  return <span aria-hidden>{icons[entry.type] ?? "•"}</span>;
}

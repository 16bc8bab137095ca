import styles from "./files.module.css";
import type { FileEntryDto } from "./files-api";

// Letters in coloured boxes rather than emoji: servers and CI browsers often have no emoji font.
const letters: Record<string, string> = { dir: "D", file: "F", symlink: "L", char: "C", block: "B", fifo: "P", socket: "S" };

/** Type icon; a symlink shows its target's kind, a dangling one is marked broken, executables are X. */
export function FileIcon({ entry }: { entry: FileEntryDto }) {
  let kind: string = entry.type;
  let letter = letters[entry.type] ?? "?";
  if (entry.type === "file" && entry.mode & 0o111) letter = "X";
  if (entry.type === "symlink") {
    kind = entry.dangling ? "dangling" : "symlink";
    letter = entry.dangling ? "!" : entry.targetType === "dir" ? "L/" : "L";
  }
  return (
    <span aria-hidden className={`${styles.icon} ${styles[`icon_${kind}`] ?? ""}`}>
      {letter}
    </span>
  );
}

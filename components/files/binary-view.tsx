import type { FileContentDto } from "./files-api";
import { formatSize } from "./files-api";
import styles from "./files.module.css";

/** Read-only view of a file that is not text or is too large for the editor. */
export function BinaryView({ file, downloadUrl }: { file: FileContentDto; downloadUrl: string }) {
  return (
    <div className={styles.binary} data-testid="binary-view">
      <p>
        {file.tooLarge ? "This file is too large for the editor" : "This file is not text"} ({formatSize(file.entry.size)}, {file.entry.symbolic}).{" "}
        <a href={downloadUrl} download data-testid="binary-download">Download</a>
      </p>
      <pre className={styles.hex} data-testid="hex-preview">{file.hex}</pre>
    </div>
  );
}

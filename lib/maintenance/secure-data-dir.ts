import fs from "node:fs";
import path from "node:path";

/** The database file and the files SQLite keeps beside it. */
export const DATABASE_FILES = ["rootimg-studio.db", "rootimg-studio.db-wal", "rootimg-studio.db-shm", "rootimg-studio.db-journal"];

/**
 * The data directory holds password hashes, session hashes and image trees with setuid programs: nobody but
 * root may enter it. Creates it 0700, or tightens an existing one (and says so through `say`).
 */
export function secureDataDir(dataDir: string, say: (line: string) => void): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = fs.statSync(dataDir).mode & 0o7777;
  if (mode !== 0o700) {
    fs.chmodSync(dataDir, 0o700);
    say(`tightened the data directory ${dataDir} from ${mode.toString(8).padStart(4, "0")} to 0700 (only root may enter it)`);
  }
}

/**
 * The database and its -wal/-shm/-journal: 0600. SQLite creates the -wal and -shm files with the mode of the
 * database file, so tightening it before the first connection covers those too; the existing ones are
 * tightened here as well. Likewise every backup.
 */
export function secureDatabaseFiles(dataDir: string, say: (line: string) => void): void {
  const files = [...DATABASE_FILES.map((n) => path.join(dataDir, n))];
  const backups = path.join(dataDir, "backups");
  if (fs.existsSync(backups)) {
    fs.chmodSync(backups, 0o700);
    for (const n of fs.readdirSync(backups)) files.push(path.join(backups, n));
  }
  const tightened: string[] = [];
  for (const f of files) {
    const st = fs.lstatSync(f, { throwIfNoEntry: false });
    if (!st?.isFile() || (st.mode & 0o077) === 0) continue;
    fs.chmodSync(f, 0o600);
    tightened.push(path.relative(dataDir, f));
  }
  if (tightened.length) say(`tightened ${tightened.join(", ")} to 0600`);
}

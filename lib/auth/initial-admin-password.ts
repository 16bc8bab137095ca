import fs from "node:fs";
import path from "node:path";

/**
 * The generated password of the first admin is written once to a file only root can read, never to stdout
 * (where the service journal would keep it), and the file goes when that password is first changed.
 */
export function initialAdminPasswordFile(dataDir: string): string {
  return path.join(dataDir, "initial-admin-password");
}

export function writeInitialAdminPassword(dataDir: string, password: string): string {
  const file = initialAdminPasswordFile(dataDir);
  fs.rmSync(file, { force: true }); // a stale file from an earlier database never keeps its wider mode
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // whatever the umask
    fs.writeSync(fd, `${password}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** True when a file was removed. */
export function removeInitialAdminPassword(dataDir: string): boolean {
  const file = initialAdminPasswordFile(dataDir);
  if (!fs.existsSync(file)) return false;
  fs.rmSync(file, { force: true });
  return true;
}

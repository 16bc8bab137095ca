import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Builds a tiny image tree in a temp dir for unit tests, plus a sibling "outside" directory with a
 * secret that no operation may ever touch. Returns paths and a cleanup function.
 */
export function makeTestImage(): { base: string; root: string; outside: string; cleanup: () => void } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "rootimg-image-test-"));
  const root = path.join(base, "rootimg");
  const outside = path.join(base, "outside");
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, "secret"), "host secret\n");
  const w = (p: string, content: string | Buffer, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content, { mode });
    fs.chmodSync(path.join(root, p), mode);
  };
  w(
    "etc/passwd",
    "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nmunge:x:4242:4343::/var/lib/munge:/bin/false\n",
  );
  w("etc/group", "root:x:0:\ndaemon:x:1:\nmunge:x:4343:\n");
  w("etc/motd", "Welcome to the compute node\n");
  w("etc/secret", "image secret\n");
  w("usr/share/zoneinfo/UTC", "TZif2 image zone\n");
  fs.symlinkSync("/usr/share/zoneinfo/UTC", path.join(root, "etc/localtime"));
  fs.mkdirSync(path.join(root, "tmp"), { mode: 0o1777 });
  fs.chmodSync(path.join(root, "tmp"), 0o1777);
  return { base, root, outside, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}

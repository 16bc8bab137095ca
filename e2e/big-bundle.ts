import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * An image bundle as imgexport writes it, for tests that need a big image: the demo image's exported bundle
 * (`exported`, with its manifest and kernel) whose rootimg.cpio.gz is replaced by `dirs` × `filesPerDir` files
 * of 2 KiB random data under usr/share, packed by bin/rootimg. Built under `tmp`; returns the bundle's path.
 */
export function buildBigBundle(o: {
  tmp: string;
  exported: string;
  image: string;
  hostname: string;
  dirs: number;
  filesPerDir: number;
}): string {
  const tree = path.join(o.tmp, "build/rootimg");
  fs.mkdirSync(path.join(tree, "etc"), { recursive: true });
  fs.writeFileSync(path.join(tree, "etc/hostname"), `${o.hostname}\n`);
  for (let d = 0; d < o.dirs; d++) {
    const dir = path.join(tree, `usr/share/data${d}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < o.filesPerDir; f++) fs.writeFileSync(path.join(dir, `blob${f}`), randomBytes(2048));
  }
  const archive = path.join(o.tmp, "build/rootimg.cpio.gz");
  execFileSync(path.join(process.cwd(), "bin/rootimg"), ["pack", tree, archive], { stdio: "pipe", timeout: 300_000 });
  fs.rmSync(tree, { recursive: true, force: true });

  const bundleDir = path.join(o.tmp, "bundle");
  fs.mkdirSync(bundleDir);
  execFileSync("tar", ["-xzf", o.exported, "-C", bundleDir]);
  const packed = path.join(bundleDir, o.image, "rootimg.cpio.gz");
  if (!fs.existsSync(packed)) throw new Error(`the exported bundle ${o.exported} has no ${o.image}/rootimg.cpio.gz`);
  fs.renameSync(archive, packed);
  const bundle = path.join(o.tmp, "big.tgz");
  execFileSync("tar", ["-I", "pigz -1", "-cf", bundle, "-C", bundleDir, "."]);
  fs.rmSync(bundleDir, { recursive: true, force: true });
  return bundle;
}

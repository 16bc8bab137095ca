import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { isIP } from "node:net";
import os from "node:os";
import path from "node:path";

export type CertInfo = { created: boolean; fingerprint256: string; subjectAltName: string; validTo: string };

/**
 * Makes sure a certificate and key exist at the given paths, creating a self-signed pair (EC P-256, valid
 * 825 days, the longest browsers accept) with `openssl` when they do not. The pair is written under
 * temporary names and renamed into place, key first, so a killed start never leaves a certificate without
 * its key; the key is readable by root only. Returns the SHA-256 fingerprint an admin compares with what the
 * browser shows on the first visit.
 */
export function ensureSelfSignedCert(opts: { cert: string; key: string; hosts: string[] }): CertInfo {
  let created = false;
  if (!existsSync(opts.cert) || !existsSync(opts.key)) {
    mkdirSync(path.dirname(opts.cert), { recursive: true, mode: 0o700 });
    mkdirSync(path.dirname(opts.key), { recursive: true, mode: 0o700 });
    const tmpCert = `${opts.cert}.tmp-${process.pid}`;
    const tmpKey = `${opts.key}.tmp-${process.pid}`;
    const names = sanNames(opts.hosts);
    const r = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "825",
        "-subj",
        `/O=Rootimg Studio/CN=${names.dns[0] ?? "localhost"}`,
        "-addext",
        `subjectAltName=${[...names.dns.map((n) => `DNS:${n}`), ...names.ip.map((n) => `IP:${n}`)].join(",")}`,
        "-addext",
        "extendedKeyUsage=serverAuth",
        "-keyout",
        tmpKey,
        "-out",
        tmpCert,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    if (r.error || r.status !== 0) {
      rmSync(tmpCert, { force: true });
      rmSync(tmpKey, { force: true });
      const why = r.error ? `${r.error.message} (is the openssl package installed?)` : r.stderr.trim().split("\n").slice(-3).join("; ");
      throw new Error(`could not create a self-signed certificate in ${path.dirname(opts.cert)}: ${why}`);
    }
    chmodSync(tmpKey, 0o600);
    renameSync(tmpKey, opts.key);
    renameSync(tmpCert, opts.cert);
    created = true;
  }
  const x = new X509Certificate(readFileSync(opts.cert));
  return { created, fingerprint256: x.fingerprint256, subjectAltName: x.subjectAltName ?? "", validTo: x.validTo };
}

/** The names a browser may use to reach this machine: its host name, localhost, loopback and a concrete HOST. */
export function sanNames(hosts: string[]): { dns: string[]; ip: string[] } {
  const dns = new Set<string>();
  const ip = new Set<string>(["127.0.0.1", "::1"]);
  for (const h of [os.hostname(), ...hosts, "localhost"]) {
    const bare = h.replace(/^\[|\]$/g, "");
    if (!bare || bare === "0.0.0.0" || bare === "::") continue; // "every address" names no address
    if (isIP(bare)) ip.add(bare);
    else if (/^[A-Za-z0-9.-]+$/.test(bare)) dns.add(bare.toLowerCase());
  }
  return { dns: [...dns], ip: [...ip] };
}

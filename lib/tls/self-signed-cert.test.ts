import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureSelfSignedCert, sanNames } from "./self-signed-cert";

describe("ensureSelfSignedCert", () => {
  it("creates a key readable by root only and a certificate for this host, then reuses them", () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "tls-")), "tls");
    const files = { cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem"), hosts: ["10.1.2.3"] };
    const first = ensureSelfSignedCert(files);
    expect(first.created).toBe(true);
    expect(first.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(statSync(files.key).mode & 0o777).toBe(0o600);
    const x = new X509Certificate(readFileSync(files.cert));
    expect(x.subjectAltName).toContain("IP Address:10.1.2.3");
    expect(x.subjectAltName).toContain(`DNS:${os.hostname().toLowerCase()}`);
    expect(x.checkPrivateKey(createPrivateKey(readFileSync(files.key)))).toBe(true);

    const again = ensureSelfSignedCert(files);
    expect(again).toMatchObject({ created: false, fingerprint256: first.fingerprint256 });
  });

  it("names no wildcard address", () => {
    const n = sanNames(["0.0.0.0", "::", "[fe80::1]", "mgmt01.cluster"]);
    expect(n.ip).toEqual(expect.arrayContaining(["127.0.0.1", "::1", "fe80::1"]));
    expect(n.ip).not.toContain("0.0.0.0");
    expect(n.dns).toEqual(expect.arrayContaining(["mgmt01.cluster", "localhost"]));
  });
});

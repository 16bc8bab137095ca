import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnv } from "./env";

describe("loadEnv", () => {
  it("has safe defaults: loopback, port 3000, ./data, HTTP", () => {
    const e = loadEnv({});
    expect(e).toMatchObject({ HOST: "127.0.0.1", PORT: 3000, SESSION_TTL_HOURS: 12, https: false });
    expect(e.dataDir).toBe(path.resolve("data"));
    expect(e.DATABASE_URL).toBe(`file:${path.resolve("data/rootimg-studio.db")}`);
  });

  it("derives the database from the data directory and turns on HTTPS with both TLS files", () => {
    const e = loadEnv({ ROOTIMG_DATA_DIR: "/srv/rootimg", TLS_CERT: "/c.pem", TLS_KEY: "/k.pem", PORT: "8443" });
    expect(e.DATABASE_URL).toBe("file:/srv/rootimg/rootimg-studio.db");
    expect(e.https).toBe(true);
    expect(e.PORT).toBe(8443);
  });

  it("explains bad settings in one line", () => {
    expect(() => loadEnv({ PORT: "http" })).toThrow(/^invalid configuration: PORT: /);
    expect(() => loadEnv({ PORT: "70000" })).toThrow(/PORT/);
    expect(() => loadEnv({ TLS_CERT: "/c.pem" })).toThrow(/set both TLS_CERT and TLS_KEY/);
    expect(() => loadEnv({ ROOTIMG_TLS: "maybe" })).toThrow(/ROOTIMG_TLS: use 1 or 0/);
    expect(() => loadEnv({ ADMIN_PASSWORD: "short" })).toThrow(/ADMIN_PASSWORD: must be at least 8 characters/);
    const message = (() => {
      try {
        loadEnv({ PORT: "x", SESSION_TTL_HOURS: "-1" });
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).not.toContain("\n");
    expect(message).toMatch(/PORT: .*; SESSION_TTL_HOURS: /);
  });

  it("treats an empty variable as unset", () => {
    expect(loadEnv({ PORT: "", HOST: "" })).toMatchObject({ PORT: 3000, HOST: "127.0.0.1" });
  });
});

describe("loadEnv: remote access", () => {
  it("says where the data directory comes from", () => {
    expect(loadEnv({}).dataDirSource).toBe("default");
    expect(loadEnv({ ROOTIMG_DATA_DIR: "/var/lib/rootimg-studio" })).toMatchObject({
      dataDirSource: "ROOTIMG_DATA_DIR",
      dataDir: "/var/lib/rootimg-studio",
    });
  });

  it("refuses a non-loopback address without TLS and names the ways out", () => {
    for (const HOST of ["0.0.0.0", "::", "10.0.0.5", "mgmt.example.org"]) {
      expect(() => loadEnv({ HOST })).toThrow(
        /HOST: listening on a non-loopback address needs TLS: set ROOTIMG_TLS=1 .*SSH tunnel.*ROOTIMG_INSECURE_HTTP=1/,
      );
    }
    for (const HOST of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) expect(loadEnv({ HOST }).insecureRemote).toBe(false);
  });

  it("serves plain HTTP remotely only when told to, and marks it for the UI's warning", () => {
    const e = loadEnv({ HOST: "0.0.0.0", ROOTIMG_INSECURE_HTTP: "1" });
    expect(e).toMatchObject({ https: false, insecureRemote: true });
    expect(e.tls).toBeUndefined();
  });

  it("puts a self-signed certificate under the data directory when TLS is asked for without one", () => {
    const e = loadEnv({ HOST: "0.0.0.0", ROOTIMG_TLS: "1", ROOTIMG_DATA_DIR: "/srv/r" });
    expect(e).toMatchObject({
      https: true,
      insecureRemote: false,
      tls: { cert: "/srv/r/tls/cert.pem", key: "/srv/r/tls/key.pem", selfSigned: true },
    });
  });

  it("uses the site's certificate when both files are given, with or without ROOTIMG_TLS", () => {
    for (const extra of [{}, { ROOTIMG_TLS: "1" }]) {
      const e = loadEnv({ HOST: "0.0.0.0", TLS_CERT: "/etc/pki/c.pem", TLS_KEY: "/etc/pki/k.pem", ...extra });
      expect(e.tls).toEqual({ cert: "/etc/pki/c.pem", key: "/etc/pki/k.pem", selfSigned: false });
    }
  });
});

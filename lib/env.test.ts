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

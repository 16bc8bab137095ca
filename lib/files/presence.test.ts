import { beforeEach, describe, expect, it } from "vitest";
import { socketConnected, socketGone } from "@/lib/realtime/io-registry";
import { listPresence, PRESENCE_LIMITS, updatePresence } from "./presence";

const user = (id: string) => ({ id, username: id, role: "viewer" as const });

describe("presence store is bounded", () => {
  it("keeps at most tabsPerUser tabs of one user on an image (the oldest goes) and refuses images past the limit", () => {
    for (let i = 0; i < PRESENCE_LIMITS.tabsPerUser + 5; i++)
      updatePresence({ image: "img-a", user: user("u1"), clientId: `tab-${i}`, files: [] });
    const tabs = listPresence("img-a").filter((p) => p.username === "u1");
    expect(tabs).toHaveLength(PRESENCE_LIMITS.tabsPerUser);
    expect(tabs.map((t) => t.clientId)).not.toContain("tab-0");

    let refused = "";
    for (let i = 0; i < PRESENCE_LIMITS.images + 1 && !refused; i++) {
      try {
        updatePresence({ image: `made-up-${i}`, user: user("u2"), clientId: "tab-x", files: [] });
      } catch (e) {
        refused = (e as { code?: string }).code ?? "other";
      }
    }
    expect(refused).toBe("rate_limited");
  });
});

describe("presence follows the tab's socket", () => {
  // the store is process-wide (globalThis): start from an empty one, not the one the limits test filled
  beforeEach(() => (globalThis as unknown as { rootimgPresence?: Map<string, unknown> }).rootimgPresence?.clear());

  it("drops a tab as soon as its socket ends, not after the heartbeat TTL", () => {
    socketConnected("sock-1", "u3");
    updatePresence({ image: "img-s", user: user("u3"), clientId: "tab-s-1", files: ["/etc/motd"], socketId: "sock-1" });
    updatePresence({ image: "img-s", user: user("u4"), clientId: "tab-s-2", files: ["/etc/motd"] });
    expect(
      listPresence("img-s")
        .map((p) => p.clientId)
        .sort(),
    ).toEqual(["tab-s-1", "tab-s-2"]);
    socketGone("sock-1");
    // the tab without a socket lives on by its heartbeats
    expect(listPresence("img-s").map((p) => p.clientId)).toEqual(["tab-s-2"]);
  });

  it("keeps a reloaded tab when the old page's socket ends after the new page's heartbeat", () => {
    socketConnected("sock-old", "u5");
    socketConnected("sock-new", "u5");
    updatePresence({ image: "img-r", user: user("u5"), clientId: "tab-r", files: ["/etc/hosts"], socketId: "sock-old" });
    updatePresence({ image: "img-r", user: user("u5"), clientId: "tab-r", files: ["/etc/hosts"], socketId: "sock-new" });
    socketGone("sock-old");
    expect(listPresence("img-r")).toEqual([{ clientId: "tab-r", username: "u5", files: ["/etc/hosts"] }]);
    socketGone("sock-new");
    expect(listPresence("img-r")).toEqual([]);
  });

  it("does not bind to a socket that is not connected or belongs to another user", () => {
    socketConnected("sock-other", "u6");
    updatePresence({ image: "img-b", user: user("u7"), clientId: "tab-b-1", files: [], socketId: "sock-other" });
    updatePresence({ image: "img-b", user: user("u7"), clientId: "tab-b-2", files: [], socketId: "made-up" });
    socketGone("sock-other");
    socketGone("made-up");
    expect(
      listPresence("img-b")
        .map((p) => p.clientId)
        .sort(),
    ).toEqual(["tab-b-1", "tab-b-2"]);
  });
});

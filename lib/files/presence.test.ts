import { describe, expect, it } from "vitest";
import { listPresence, PRESENCE_LIMITS, updatePresence } from "./presence";

const user = (id: string) => ({ id, username: id, role: "viewer" as const });

describe("presence store is bounded", () => {
  it("keeps at most tabsPerUser tabs of one user on an image (the oldest goes) and refuses images past the limit", () => {
    for (let i = 0; i < PRESENCE_LIMITS.tabsPerUser + 5; i++) updatePresence({ image: "img-a", user: user("u1"), clientId: `tab-${i}`, files: [] });
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

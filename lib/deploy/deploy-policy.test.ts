import { describe, expect, it } from "vitest";
import { assertDeployAllowed } from "./deploy-policy";

const base = { image: "img", seq: 3, stampUuid: "11111111-2222-3333-4444-555555555555", testHosts: [] as string[], nodes: [] as string[] };
const as = (role: string) => ({ id: `u-${role}`, username: role, role });

describe("deploy policy", () => {
  it("lets an editor deploy to test hosts, and a reviewer or admin also to xCAT nodes and groups", async () => {
    await expect(assertDeployAllowed({ ...base, user: as("editor"), testHosts: ["th1"] })).resolves.toBeUndefined();
    await expect(assertDeployAllowed({ ...base, user: as("reviewer"), nodes: ["cn01"] })).resolves.toBeUndefined();
    await expect(assertDeployAllowed({ ...base, user: as("admin"), group: "compute" })).resolves.toBeUndefined();
  });

  it("refuses an editor on xCAT nodes or a group, naming the rule", async () => {
    for (const ask of [{ nodes: ["cn01"] }, { group: "compute" }]) {
      await expect(assertDeployAllowed({ ...base, user: as("editor"), testHosts: ["th1"], ...ask })).rejects.toMatchObject({ code: "forbidden", details: { rule: "role" } });
    }
  });
});

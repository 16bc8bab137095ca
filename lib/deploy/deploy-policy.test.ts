import { describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

createTempDatabase("deploy-policy-");
const { assertDeployAllowed } = await import("./deploy-policy");
const { setPolicy } = await import("@/lib/requests/policy");

const base = {
  image: "img",
  seq: 3,
  stampUuid: "11111111-2222-3333-4444-555555555555",
  changeId: null,
  testHosts: [] as string[],
  nodes: [] as string[],
};
const as = (role: string) => ({ id: `u-${role}`, username: role, role });

describe("deploy policy", () => {
  it("lets an editor deploy to test hosts, and a reviewer or admin also to xCAT nodes and groups once the image's policy allows it", async () => {
    await setPolicy({ image: "img", packRequiresApproval: false, deployRequiresApproval: false, user: as("admin") });
    await expect(assertDeployAllowed({ ...base, user: as("editor"), testHosts: ["th1"] })).resolves.toBeUndefined();
    await expect(assertDeployAllowed({ ...base, user: as("reviewer"), nodes: ["cn01"] })).resolves.toBeUndefined();
    await expect(assertDeployAllowed({ ...base, user: as("admin"), group: "compute" })).resolves.toBeUndefined();
  });

  it("refuses an editor on xCAT nodes or a group, naming the rule", async () => {
    for (const ask of [{ nodes: ["cn01"] }, { group: "compute" }]) {
      await expect(assertDeployAllowed({ ...base, user: as("editor"), testHosts: ["th1"], ...ask })).rejects.toMatchObject({
        code: "forbidden",
        details: { rule: "role" },
      });
    }
  });

  it("by default, nodes beyond test hosts boot only a version packed from an approved change request; test hosts need none", async () => {
    const other = { ...base, image: "fresh" };
    await expect(assertDeployAllowed({ ...other, user: as("admin"), testHosts: ["th1"] })).resolves.toBeUndefined();
    for (const ask of [{ nodes: ["cn01"] }, { group: "compute" }]) {
      await expect(assertDeployAllowed({ ...other, user: as("admin"), ...ask })).rejects.toMatchObject({
        code: "conflict",
        details: { reason: "approval-required", seq: 3 },
      });
    }
  });
});

import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tmp } from "./test-fixtures.ts";
import { dateLikeShell, writeXcatinfo } from "./xcatinfo-stamp.ts";

const work = tmp("arch-stamp-");
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("xcatinfo stamp", () => {
  it("writes TIMESTAMP in `date`'s default form, byte for byte as GNU date prints it (space-padded day)", () => {
    // 2026-12-02 02:56:03 UTC is the moment of a real packimage run; the others cover two-digit days and month ends.
    for (const epoch of [1796180163, 1795666200, 1798761599, 1772323200]) {
      const real = execFileSync("date", ["-u", "-d", `@${epoch}`], {
        encoding: "utf8",
        env: { ...process.env, LC_ALL: "C", TZ: "UTC" },
      }).trimEnd();
      expect(dateLikeShell(new Date(epoch * 1000))).toBe(real);
    }
    expect(dateLikeShell(new Date(Date.UTC(2026, 11, 2, 2, 56, 3)))).toBe("Wed Dec  2 02:56:03 UTC 2026");
  });

  it("writes IMAGENAME, IMAGEUUID and TIMESTAMP lines like packimage", () => {
    const uuid = writeXcatinfo(work, "img", new Date(Date.UTC(2026, 11, 2, 2, 56, 3)));
    expect(readFileSync(path.join(work, "opt/xcat/xcatinfo"), "utf8")).toBe(
      `IMAGENAME='img'\nIMAGEUUID='${uuid}'\nTIMESTAMP='Wed Dec  2 02:56:03 UTC 2026'\n`,
    );
  });
});

import { describe, expect, it } from "vitest";
import type { ImageDetailDto } from "@/lib/api/contracts/images";
import { afterImageJob } from "./after-image-job";

const image = (workspace: string, lock: ImageDetailDto["lock"] = { holder: "Rootimg Studio (pid 1)" } as ImageDetailDto["lock"]) =>
  ({ imagename: "x", workspace, lock }) as unknown as ImageDetailDto;

describe("afterImageJob", () => {
  it("an ended pack, whatever its end, leaves the workspace unpacked and unlocked", () => {
    for (const state of ["succeeded", "failed", "cancelled", "interrupted"]) {
      expect(afterImageJob(image("packing"), { type: "image.pack", state })).toMatchObject({ workspace: "unpacked", lock: null });
    }
  });

  it("a succeeded unpack does too; a failed one is left as read", () => {
    expect(afterImageJob(image("unpacking"), { type: "image.unpack", state: "succeeded" })).toMatchObject({
      workspace: "unpacked",
      lock: null,
    });
    const failed = image("unpacking");
    expect(afterImageJob(failed, { type: "image.unpack", state: "failed" })).toBe(failed);
  });

  it("a workspace not in a job's state, or another job type, is left as read", () => {
    const packed = image("packed", null);
    expect(afterImageJob(packed, { type: "image.pack", state: "succeeded" })).toBe(packed);
    const packing = image("packing");
    expect(afterImageJob(packing, { type: "image.export", state: "succeeded" })).toBe(packing);
  });
});

import { describe, expect, it } from "vitest";
import { parseRoom, room } from "./events";

describe("rooms", () => {
  it("parses every name room.* builds back to its family and id", () => {
    expect(parseRoom(room.job("j1"))).toEqual({ family: "job", id: "j1" });
    expect(parseRoom(room.image("rh9:x"))).toEqual({ family: "image", id: "rh9:x" });
    expect(parseRoom(room.images())).toEqual({ family: "images", id: "" });
    expect(parseRoom(room.jobs())).toEqual({ family: "jobs", id: "" });
  });

  it("refuses names outside the table", () => {
    for (const name of ["", "job", "job:", "images:x", "jobs:all", "nope:1", "constructor", "__proto__:x", ":x"]) expect(parseRoom(name)).toBeNull();
  });
});

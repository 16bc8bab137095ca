import { describe, expect, it } from "vitest";
import { holderText, sinceText, writerNoun } from "./gate-words";

const since = "2026-12-02T08:00:00.000Z";
const at = (seconds: number) => Date.parse(since) + seconds * 1000;

describe("gate words", () => {
  it("says what a holder does, who started it and when, as the image page shows it", () => {
    expect(holderText({ kind: "pack", user: "alice", since }, at(12))).toBe("packing, started by alice 12 s ago");
    expect(holderText({ kind: "shell", user: "bob", since, state: "held" }, at(200))).toBe("open in a shell, started by bob 3 min ago");
    expect(holderText({ kind: "command", user: "carol", since, state: "held", detail: "dnf -y update" }, at(5))).toBe(
      'running a command "dnf -y update", started by carol 5 s ago',
    );
  });

  it("says that a holder still waits for the changes in progress", () => {
    expect(holderText({ kind: "rollback", user: "alice", since, state: "waiting" }, at(2))).toBe(
      "rollback waiting for the changes in progress to finish, started by alice 2 s ago",
    );
  });

  it("names a kind it has no words for as it is, and never counts time backwards", () => {
    expect(holderText({ kind: "future-kind", user: "carol", since }, at(-5))).toBe("future-kind, started by carol 0 s ago");
    expect(sinceText(new Date(since), at(119))).toBe("119 s ago");
    expect(sinceText(since, at(120))).toBe("2 min ago");
  });

  it("counts writers in the singular and the plural", () => {
    expect(writerNoun("upload")).toBe("upload");
    expect(writerNoun("content", 2)).toBe("saves");
    expect(writerNoun("xattr", 3)).toBe("xattr changes");
  });
});

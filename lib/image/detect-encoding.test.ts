import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { decodeText, detectEncoding, detectLineEnding, encodeText, hexPreview } from "./detect-encoding";
import { detectLanguage } from "./detect-language";

describe("detectEncoding", () => {
  it("recognises UTF-8, latin-1 and binary", () => {
    expect(detectEncoding(Buffer.from("Grüße aus München\n", "utf8"))).toBe("utf-8");
    expect(detectEncoding(Buffer.from("Grüße aus München\n", "latin1"))).toBe("latin-1");
    expect(detectEncoding(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]))).toBe("binary");
    expect(detectEncoding(Buffer.from([1, 2, 3, 4, 5, 6, 65, 66]))).toBe("binary");
    expect(detectEncoding(Buffer.alloc(0))).toBe("utf-8");
  });

  it("round-trips latin-1 text byte for byte", () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a, 0xa0, 0xff, 0x80, 0x0a]);
    const text = decodeText(bytes, "latin-1");
    expect(encodeText(text, "latin-1").equals(bytes)).toBe(true);
  });

  it("keeps a UTF-8 byte order mark", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("x=1\n")]);
    expect(encodeText(decodeText(bytes, "utf-8"), "utf-8").equals(bytes)).toBe(true);
  });

  it("refuses characters latin-1 cannot hold instead of mangling them", () => {
    expect(() => encodeText("price: 5 €", "latin-1")).toThrow(AppError);
  });

  it("detects line endings", () => {
    expect(detectLineEnding("a\r\nb\r\n")).toBe("crlf");
    expect(detectLineEnding("a\nb")).toBe("lf");
    expect(detectLineEnding("a\r\nb\n")).toBe("mixed");
    expect(detectLineEnding("abc")).toBe("none");
  });

  it("formats a hex preview like hexdump -C", () => {
    const out = hexPreview(Buffer.from("\x7fELF\x02\x01\x01\x00abcdefgh", "latin1"));
    expect(out).toBe("00000000  7f 45 4c 46 02 01 01 00  61 62 63 64 65 66 67 68  |.ELF....abcdefgh|");
  });
});

describe("detectLanguage", () => {
  it("maps admin files to Monaco languages by name and shebang", () => {
    expect(detectLanguage("/etc/systemd/system/munge.service")).toBe("systemd");
    expect(detectLanguage("/usr/lib/systemd/system/slurmd.service.d/override.conf")).toBe("systemd");
    expect(detectLanguage("/etc/sudoers")).toBe("sudoers");
    expect(detectLanguage("/etc/sudoers.d/admins")).toBe("sudoers");
    expect(detectLanguage("/etc/fstab")).toBe("fstab");
    expect(detectLanguage("/etc/ssh/sshd_config")).toBe("sshconfig");
    expect(detectLanguage("/etc/ssh/sshd_config.d/50-hpc.conf")).toBe("sshconfig");
    expect(detectLanguage("/etc/yum.repos.d/base.repo")).toBe("ini");
    expect(detectLanguage("/etc/netplan/01.yaml")).toBe("yaml");
    expect(detectLanguage("/etc/docker/daemon.json")).toBe("json");
    expect(detectLanguage("/etc/default/grub")).toBe("shell");
    expect(detectLanguage("/usr/local/bin/health", "#!/usr/bin/env python3")).toBe("python");
    expect(detectLanguage("/usr/local/bin/x", "#!/bin/bash -e")).toBe("shell");
    expect(detectLanguage("/usr/local/bin/y", "#!/usr/bin/perl -w")).toBe("perl");
    expect(detectLanguage("/etc/motd")).toBe("plaintext");
  });
});

import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CpioParser } from "./cpio-parser.ts";
import type { ArchiveEntry } from "./entry.ts";
import { CompressionError } from "./errors.ts";
import { inflateInWorker } from "./inflate-worker.ts";
import { rawCpio, tmp } from "./test-fixtures.ts";

let work: string;
beforeAll(() => {
  work = tmp("arch-inflate-");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function collect(file: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  // Chunks are slots of a ring the worker refills: copy each before asking for the next.
  for await (const c of inflateInWorker(file).chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe("inflate on a worker thread", () => {
  it("inflates a multi-member gzip file bigger than its ring, byte for byte", async () => {
    const a = randomBytes(5 << 20);
    const b = Buffer.alloc(30 << 20, 7);
    const file = path.join(work, "multi.gz");
    writeFileSync(file, Buffer.concat([gzipSync(a), gzipSync(b)]));
    expect((await collect(file)).equals(Buffer.concat([a, b]))).toBe(true);
  });

  it("names the compressed offset of a truncated file", async () => {
    const gz = gzipSync(randomBytes(3 << 20));
    const file = path.join(work, "cut.gz");
    writeFileSync(file, gz.subarray(0, gz.length - 1000));
    const err = await collect(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompressionError);
    expect((err as Error).message).toMatch(/cut\.gz is corrupt or truncated near compressed byte offset \d+/);
  });

  it("stops when its signal aborts", async () => {
    const file = path.join(work, "big.gz");
    writeFileSync(file, gzipSync(Buffer.alloc(64 << 20, 1)));
    const ac = new AbortController();
    const stream = inflateInWorker(file, ac.signal);
    let n = 0;
    const err = await (async () => {
      for await (const _ of stream.chunks) if (++n === 2) ac.abort();
    })().catch((e: unknown) => e);
    expect((err as Error).name).toBe("AbortError");
    expect(n).toBe(2);
  });
});

describe("cpio parser and reused chunk buffers", () => {
  it("reads headers and names split across chunks when the caller overwrites each chunk after write()", () => {
    const names = Array.from({ length: 40 }, (_, i) => `dir/${"n".repeat(i * 7)}${i}`);
    const raw = rawCpio(names.map((name, i) => ({ name, type: "file" as const, data: "x".repeat(i * 13) })));
    const seen: string[] = [];
    const parser = new CpioParser({ entry: (e: ArchiveEntry) => seen.push(e.name), data: () => {}, end: () => {} });
    const slot = Buffer.alloc(37);
    for (let off = 0; off < raw.length; off += slot.length) {
      const n = raw.copy(slot, 0, off, off + slot.length);
      parser.write(slot.subarray(0, n));
      slot.fill(0xff);
    }
    parser.finish();
    expect(seen).toEqual(names);
  });
});

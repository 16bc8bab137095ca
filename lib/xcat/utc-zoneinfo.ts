import fs from "node:fs";

/**
 * The bytes of a TZif file for UTC, for the demo image's /usr/share/zoneinfo/UTC (its /etc/localtime points
 * there: an absolute link that must resolve inside the image). Debian's tzdata copy when the host has it
 * (read through its Etc/UTC link), otherwise a minimal valid TZif v2 built here (RFC 8536).
 */
export function utcZoneinfo(hostFile = "/usr/share/zoneinfo/UTC"): Buffer {
  try {
    const buf = fs.readFileSync(hostFile);
    if (buf.subarray(0, 4).toString("latin1") === "TZif") return buf;
  } catch {
    // no tzdata on this host: fall through to the built-in file
  }
  return minimalUtcTzif();
}

/** TZif v2: one type (offset 0, "UTC"), no transitions, twice (32- and 64-bit blocks), then the TZ string footer. */
export function minimalUtcTzif(): Buffer {
  const header = Buffer.alloc(44);
  header.write("TZif2", 0, "latin1");
  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  for (const [i, n] of [0, 0, 0, 0, 1, 4].entries()) header.writeUInt32BE(n, 20 + i * 4);
  const ttinfo = Buffer.from([0, 0, 0, 0, 0, 0]); // utoff 0, isdst 0, desigidx 0
  const chars = Buffer.from("UTC\0", "latin1");
  return Buffer.concat([header, ttinfo, chars, header, ttinfo, chars, Buffer.from("\nUTC0\n", "latin1")]);
}

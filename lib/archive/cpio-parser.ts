import { type ArchiveEntry, decodeName, type EntrySink, type StreamParser, typeFromMode } from "./entry.ts";
import { CpioFormatError } from "./errors.ts";

const HEADER = 110;
const MAX_NAME = 65536;
const MAX_SYMLINK = 65536;
// biome-ignore lint/suspicious/noConstEnum: module-local, so the compiler inlines it in the parser's hot loop
const enum S {
  Header,
  Name,
  Symlink,
  Data,
  Pad,
  Done,
}

function hex(buf: Buffer, field: number, offset: number): number {
  const start = 6 + field * 8;
  let v = 0;
  for (let i = start; i < start + 8; i++) {
    const c = buf[i];
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 65 && c <= 70) d = c - 55;
    else if (c >= 97 && c <= 102) d = c - 87;
    else throw new CpioFormatError(`bad header at byte offset ${offset}: field ${field} is not hexadecimal`);
    v = v * 16 + d;
  }
  return v;
}

/**
 * Push parser for newc (070701) and crc (070702) cpio streams. Synchronous so that the consumer can write files
 * with few, cheap syscalls; bodies are handed over as zero-copy slices. Stops at the first TRAILER!!! like GNU cpio.
 */
export class CpioParser implements StreamParser {
  entries = 0;
  offset = 0;
  done = false;
  private state = S.Header;
  private acc: Buffer[] = [];
  private accLen = 0;
  private need = HEADER;
  private cur!: ArchiveEntry;
  private nameSize = 0;
  private left = 0;
  private crc = false;
  private check = 0;
  private sum = 0;

  constructor(private readonly sink: EntrySink) {}

  write(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      const avail = buf.length - i;
      if (this.state === S.Data) {
        const n = Math.min(this.left, avail);
        const slice = buf.subarray(i, i + n);
        if (this.crc) for (let k = 0; k < slice.length; k++) this.sum = (this.sum + slice[k]) >>> 0;
        this.sink.data(slice);
        this.left -= n;
        i += n;
        this.offset += n;
        if (this.left === 0) this.endBody();
      } else if (this.state === S.Pad) {
        const n = Math.min(this.left, avail);
        i += n;
        this.offset += n;
        this.left -= n;
        if (this.left === 0) this.setState(S.Header, HEADER);
      } else if (this.state === S.Done) {
        this.offset += avail;
        return;
      } else {
        const n = Math.min(this.need - this.accLen, avail);
        // A piece kept past this call is copied: the caller may reuse its chunk (inflate-worker's ring).
        this.acc.push(this.accLen + n < this.need ? Buffer.from(buf.subarray(i, i + n)) : buf.subarray(i, i + n));
        this.accLen += n;
        i += n;
        this.offset += n;
        if (this.accLen === this.need) {
          const block = this.acc.length === 1 ? this.acc[0] : Buffer.concat(this.acc);
          this.acc = [];
          this.accLen = 0;
          this.onBlock(block);
        }
      }
    }
  }

  private setState(s: S, need: number): void {
    this.state = s;
    this.need = need;
    this.left = need;
  }

  private onBlock(b: Buffer): void {
    if (this.state === S.Header) this.onHeader(b);
    else if (this.state === S.Name) this.onName(b);
    else this.onSymlink(b);
  }

  private onHeader(b: Buffer): void {
    const at = this.offset - HEADER;
    const magic = b.toString("latin1", 0, 6);
    if (magic !== "070701" && magic !== "070702") {
      const what = magic === "070707" ? "old portable (odc) cpio, which is not supported" : `bad magic ${JSON.stringify(magic)}`;
      throw new CpioFormatError(`${what} in entry header at byte offset ${at} (expected 070701 newc)`);
    }
    this.crc = magic === "070702";
    const mode = hex(b, 1, at);
    const type = typeFromMode(mode);
    this.nameSize = hex(b, 11, at);
    if (this.nameSize < 2 || this.nameSize > MAX_NAME)
      throw new CpioFormatError(`bad name size ${this.nameSize} in entry header at byte offset ${at}`);
    this.cur = {
      name: "",
      type: type ?? "file",
      mode: mode & 0o7777,
      ino: hex(b, 0, at),
      uid: hex(b, 2, at),
      gid: hex(b, 3, at),
      nlink: hex(b, 4, at),
      mtime: hex(b, 5, at),
      size: hex(b, 6, at),
      devMajor: hex(b, 7, at),
      devMinor: hex(b, 8, at),
      rdevMajor: hex(b, 9, at),
      rdevMinor: hex(b, 10, at),
      offset: at,
    };
    this.check = hex(b, 12, at);
    this.modeType = type;
    const pad = (4 - ((HEADER + this.nameSize) % 4)) % 4;
    this.setState(S.Name, this.nameSize + pad);
  }

  private modeType: string | undefined;

  private onName(b: Buffer): void {
    const e = this.cur;
    if (b[this.nameSize - 1] !== 0) throw new CpioFormatError(`entry name at byte offset ${e.offset} is not NUL-terminated`);
    try {
      e.name = decodeName(b.subarray(0, this.nameSize - 1), () => `byte offset ${e.offset}`);
    } catch (err) {
      throw new CpioFormatError((err as Error).message);
    }
    if (e.name === "TRAILER!!!") {
      this.state = S.Done;
      this.done = true;
      return;
    }
    if (!this.modeType)
      throw new CpioFormatError(`entry "${e.name}" at byte offset ${e.offset} has unknown file type in mode ${e.mode.toString(8)}`);
    if ((e.type === "dir" || e.type === "char" || e.type === "block" || e.type === "fifo" || e.type === "socket") && e.size !== 0) {
      throw new CpioFormatError(`entry "${e.name}" at byte offset ${e.offset} is a ${e.type} but declares ${e.size} data bytes`);
    }
    this.entries++;
    this.sum = 0;
    if (e.type === "symlink") {
      if (e.size === 0 || e.size > MAX_SYMLINK)
        throw new CpioFormatError(`symlink "${e.name}" at byte offset ${e.offset} has bad target size ${e.size}`);
      this.setState(S.Symlink, e.size);
      return;
    }
    this.sink.entry(e);
    if (e.size > 0) this.setState(S.Data, e.size);
    else this.endBody();
  }

  private onSymlink(b: Buffer): void {
    const e = this.cur;
    try {
      e.linkName = decodeName(b, () => `byte offset ${e.offset}`);
    } catch (err) {
      throw new CpioFormatError((err as Error).message);
    }
    e.size = 0;
    this.sink.entry(e);
    this.endBody(b.length);
  }

  private endBody(bodyLen = this.cur.size): void {
    if (this.crc && this.cur.type === "file" && this.sum !== this.check) {
      throw new CpioFormatError(`checksum mismatch in entry "${this.cur.name}" at byte offset ${this.cur.offset}`);
    }
    this.sink.end();
    const pad = (4 - (bodyLen % 4)) % 4;
    if (pad) this.setState(S.Pad, pad);
    else this.setState(S.Header, HEADER);
  }

  finish(): void {
    if (this.done) return;
    if (this.offset === 0) throw new CpioFormatError("the archive is empty (no data after decompression)");
    if (this.state === S.Header && this.accLen === 0) {
      throw new CpioFormatError(`missing TRAILER!!! at byte offset ${this.offset}: the archive is truncated`);
    }
    const e = this.cur;
    if (this.state === S.Data || this.state === S.Symlink) {
      throw new CpioFormatError(
        `entry "${e.name}" at byte offset ${e.offset} declares ${e.size} bytes but the stream ends at byte offset ${this.offset}`,
      );
    }
    if (this.state === S.Name)
      throw new CpioFormatError(`entry name at byte offset ${e.offset} is cut off: the stream ends at byte offset ${this.offset}`);
    if (this.state === S.Pad) throw new CpioFormatError(`missing TRAILER!!! at byte offset ${this.offset}: the archive is truncated`);
    throw new CpioFormatError(
      `entry header at byte offset ${this.offset - this.accLen} is cut off: the stream ends at byte offset ${this.offset}`,
    );
  }
}

/**
 * Test hosts defined in the product (name, memory, image, kernel command line, network, assigned version):
 * the local stand-in for diskless nodes. "nodeset" assigns an image version; power on/reset boots it in QEMU
 * (test-host-runner.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import type { TestHost } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { listVersions } from "@/lib/images/versions";
import { getBackend } from "@/lib/xcat/select-backend";
import { type BootSpec, liveStatus, powerOff, powerOn } from "./test-host-runner";

/** Like an xCAT node name: letters, digits, `-`, `_`, `.`; starts with a letter or digit. */
export const TEST_HOST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** QEMU -nic values a host may name: user-mode networking only (no host bridges or taps from the browser). */
export const NIC_RE = /^user(,model=(virtio-net-pci|e1000|rtl8139))?$/;
/** Test hosts are x86_64 machines (qemu-system-x86_64). */
export const TEST_HOST_ARCH = "x86_64";

export type TestHostInput = { name: string; memoryMb: number; image: string; kcmdline: string; nic: string | null; bootTimeoutSec: number };

export type TestHostDto = Omit<TestHost, "createdAt" | "updatedAt" | "statusAt"> & { statusAt: string | null; arch: string };

export function toTestHostDto(h: TestHost): TestHostDto {
  const { createdAt: _c, updatedAt: _u, statusAt, ...rest } = h;
  return { ...rest, status: liveStatus(h.name) ?? h.status, statusAt: statusAt?.toISOString() ?? null, arch: TEST_HOST_ARCH };
}

function checkInput(input: TestHostInput): void {
  if (!TEST_HOST_NAME_RE.test(input.name))
    throw new AppError("unprocessable", `invalid test host name ${JSON.stringify(input.name)}: letters, digits, '.', '_' and '-'`);
  if (input.nic && !NIC_RE.test(input.nic))
    throw new AppError(
      "unprocessable",
      `network ${JSON.stringify(input.nic)} refused: use "user" or "user,model=virtio-net-pci|e1000|rtl8139", or none`,
    );
  if (/[\n\r]/.test(input.kcmdline)) throw new AppError("unprocessable", "the kernel command line must be one line");
}

export async function listTestHosts(): Promise<TestHostDto[]> {
  return (await prisma.testHost.findMany({ orderBy: { name: "asc" } })).map(toTestHostDto);
}

export async function getTestHost(name: string): Promise<TestHost> {
  const h = await prisma.testHost.findUnique({ where: { name } });
  if (!h) throw new AppError("not_found", `test host ${name} not found`);
  return h;
}

export async function createTestHost(input: TestHostInput): Promise<TestHostDto> {
  checkInput(input);
  await getBackend().getImage(input.image);
  if (await prisma.testHost.findUnique({ where: { name: input.name } }))
    throw new AppError("conflict", `test host ${input.name} already exists`);
  return toTestHostDto(await prisma.testHost.create({ data: input }));
}

export async function updateTestHost(name: string, input: Omit<TestHostInput, "name">): Promise<TestHostDto> {
  const h = await getTestHost(name);
  checkInput({ ...input, name });
  if (input.image !== h.image) await getBackend().getImage(input.image);
  // a new image drops the assigned version: versions are per image
  return toTestHostDto(
    await prisma.testHost.update({ where: { name }, data: { ...input, versionSeq: input.image === h.image ? h.versionSeq : null } }),
  );
}

export async function deleteTestHost(name: string): Promise<void> {
  await getTestHost(name);
  await powerOff(name);
  await prisma.testHost.delete({ where: { name } });
}

/** What a test host boots: the assigned version of its image, or the live archive when none is assigned. */
export async function resolveBoot(h: TestHost): Promise<{ spec: BootSpec; seq: number; stampUuid: string | null }> {
  const img = await getBackend().getImage(h.image);
  const versions = await listVersions(h.image);
  const v = h.versionSeq != null ? versions.find((x) => x.seq === h.versionSeq) : versions.find((x) => x.live);
  if (!v) {
    throw new AppError(
      "unprocessable",
      h.versionSeq != null
        ? `version ${h.versionSeq} of ${h.image} is no longer kept; deploy another version to ${h.name}`
        : `${h.image} was never packed: pack it before booting ${h.name}`,
    );
  }
  return {
    seq: v.seq,
    stampUuid: v.stampUuid,
    spec: {
      name: h.name,
      memoryMb: h.memoryMb,
      kernel: path.join(img.rootimgdir, "kernel"),
      initrd: v.file,
      kcmdline: withInitArg(h.kcmdline, path.join(img.rootimgdir, "rootimg")),
      nic: h.nic,
      bootTimeoutSec: h.bootTimeoutSec,
      label: `${h.image} version ${v.seq}${v.stampUuid ? ` (IMAGEUUID ${v.stampUuid})` : ""}`,
    },
  };
}

/**
 * The kernel runs an initramfs's `/init`; without one it looks for a root device and panics. A node's own
 * initrd-stateless unpacks the archive into a tmpfs and switches to its `/sbin/init` (docs/xcat-bundles.md); a test
 * host boots the archive itself as the initramfs, so an image without `/init` (every distribution image: systemd
 * is /sbin/init) gets `rdinit=/sbin/init`, unless the host's own arguments name an init. Read from the image's
 * unpacked tree; an image never unpacked boots with the host's arguments as they are.
 */
export function withInitArg(kcmdline: string, tree: string): string {
  if (/(^|\s)rdinit=/.test(kcmdline)) return kcmdline;
  const has = (p: string) => {
    try {
      fs.lstatSync(path.join(tree, p));
      return true;
    } catch {
      return false;
    }
  };
  if (!has(".") || has("init") || !has("sbin/init")) return kcmdline;
  return `rdinit=/sbin/init ${kcmdline}`.trim();
}

/** "nodeset" of a test host: the version it boots from now on. */
export async function assignVersion(name: string, image: string, seq: number): Promise<void> {
  await prisma.testHost.update({ where: { name }, data: { image, versionSeq: seq } });
}

export async function powerOnTestHost(name: string): Promise<{ seq: number; stampUuid: string | null }> {
  const h = await getTestHost(name);
  const { spec, seq, stampUuid } = await resolveBoot(h);
  await powerOn(spec);
  return { seq, stampUuid };
}

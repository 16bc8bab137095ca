// A server of its own on the xCAT backend: the fake xCAT (test/fake-xcat, selected by XCATROOT) knowing one
// netboot osimage whose rootimgdir holds what genimage and packimage leave (the demo image's real archive and
// kernel), with xCAT's calls logged for the spec to check the exact command lines.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { E2E_DATA_DIR } from "./e2e-env";
import { type OwnServer, startOwnServer } from "./own-server";

const DEMO = "demo-busybox-x86_64-netboot-compute";

export type FakeXcatServer = OwnServer & {
  /** The osimage's name and its rootimgdir. */
  name: string;
  rootimgdir: string;
  /** Every xCAT command line called since the start or the last clearCalls(), e.g. "packimage NAME". */
  calls: () => string[];
  clearCalls: () => void;
  /** Stops the server and removes its directory. */
  dispose: () => Promise<void>;
};

export async function startFakeXcatServer(opts: {
  port: number;
  adminPassword: string;
  /** Prefix of the temporary directory (site installdir, state, log, data directory). */
  prefix: string;
  /** More of the fake xCAT's state: nodes, bmcs, dhcp. */
  state?: Record<string, unknown>;
  env?: Record<string, string>;
}): Promise<FakeXcatServer> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix));
  const name = "rhels9.4-x86_64-netboot-compute";
  const rootimgdir = path.join(tmp, "install/netboot/rhels9.4/x86_64/compute");
  fs.mkdirSync(rootimgdir, { recursive: true });
  fs.copyFileSync(path.join(E2E_DATA_DIR, "images", DEMO, "rootimg.cpio.gz"), path.join(rootimgdir, "rootimg.cpio.gz"));
  fs.copyFileSync(path.join(E2E_DATA_DIR, "images", DEMO, "kernel"), path.join(rootimgdir, "kernel"));
  const state = path.join(tmp, "xcat-state.json");
  const log = path.join(tmp, "xcat-calls.log");
  fs.writeFileSync(
    state,
    JSON.stringify({
      site: { installdir: path.join(tmp, "install"), timezone: "Universal" },
      osimages: {
        [name]: {
          imagetype: "linux",
          osarch: "x86_64",
          osname: "Linux",
          osvers: "rhels9.4",
          profile: "compute",
          provmethod: "netboot",
          rootimgdir,
        },
      },
      ...opts.state,
    }),
  );
  const server = await startOwnServer({
    port: opts.port,
    dataDir: path.join(tmp, "data"),
    adminPassword: opts.adminPassword,
    env: {
      XCATROOT: path.join(process.cwd(), "test/fake-xcat"),
      FAKE_XCAT_STATE: state,
      FAKE_XCAT_LOG: log,
      ROOTIMG_XCAT_LOCK_DIR: path.join(tmp, "lock"),
      ...opts.env,
    },
  });
  const calls = () =>
    fs.existsSync(log)
      ? fs
          .readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l).argv.join(" "))
      : [];
  return {
    ...server,
    name,
    rootimgdir,
    calls,
    clearCalls: () => fs.writeFileSync(log, ""),
    dispose: async () => {
      await server.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

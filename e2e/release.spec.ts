// The offline install: scripts/release.sh builds the tarball, which is unpacked into an empty directory and
// started with no network at all (a network namespace holding only loopback, npm told to stay offline with
// no reachable registry and an empty HOME), as on an air-gapped management node. The release builds its
// dashboard in its own staging directory: the checkout's build, which specs running beside this one serve,
// is left as it is.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { OWN_PORT } from "./e2e-env";
import { expect, test } from "./fixtures";

test("the release tarball installs into an empty directory and starts without network", async () => {
  test.setTimeout(1_800_000); // the release builds the dashboard (minutes on a busy machine)
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-release-"));
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  const checkoutBuild = () => {
    const id = path.join(process.env.NEXT_DIST_DIR || ".next", "BUILD_ID");
    return fs.existsSync(id) ? `${fs.readFileSync(id, "utf8")} ${fs.statSync(id).mtimeMs}` : "no build";
  };
  const before = checkoutBuild();
  const built = spawnSync("scripts/release.sh", ["--out", path.join(tmp, "out")], {
    env,
    encoding: "utf8",
    timeout: 1_500_000,
    maxBuffer: 64 << 20,
  });
  expect(built.status, built.stderr.slice(-3000)).toBe(0);
  expect(built.stderr).toContain("building the dashboard in the staging directory");
  expect(checkoutBuild()).toBe(before);
  const tarball = built.stdout.trim().split("\n").at(-1) as string;
  expect(tarball).toMatch(/rootimg-studio-.+-linux-x86_64\.tar\.gz$/);
  const sum = fs.readFileSync(`${tarball}.sha256`, "utf8");
  expect(spawnSync("sha256sum", ["-c", `${path.basename(tarball)}.sha256`], { cwd: path.dirname(tarball) }).status, sum).toBe(0);

  const target = path.join(tmp, "opt");
  const home = path.join(tmp, "home");
  fs.mkdirSync(target);
  fs.mkdirSync(home);
  const port = OWN_PORT.release;
  // Inside the namespace: unpack, start with the release's own start command, sign in, list images, stop.
  const script = `set -e
ip link set lo up
t0=$(date +%s.%N)
tar -xzf "$TARBALL" -C "$TARGET"
cd "$TARGET"/rootimg-studio-*
test -f RELEASE
scripts/start.sh > "$TARGET/server.log" 2>&1 & pid=$!
ok=
for i in $(seq 1 960); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/login" 2>/dev/null; then ok=1; break; fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.25
done
test -n "$ok" || { cat "$TARGET/server.log"; exit 3; }
echo "ready_after=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
echo "health=$(curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/api/health)"
curl -fsS -c "$TARGET/jar" -H 'content-type: application/json' -H "origin: http://127.0.0.1:$PORT" \\
  -d "{\\"username\\":\\"admin\\",\\"password\\":\\"$ADMIN_PASSWORD\\"}" "http://127.0.0.1:$PORT/api/auth/login" > /dev/null
echo "images=$(curl -fsS -b "$TARGET/jar" "http://127.0.0.1:$PORT/api/images")"
echo "cli=$(bin/rootimg verify images-not-here 2>&1 || true)"
kill -TERM $pid; wait $pid || echo "exit=$?"; echo "stopped"
cat "$TARGET/server.log"`;
  const r = spawnSync("unshare", ["-n", "bash", "-c", script], {
    encoding: "utf8",
    timeout: 600_000,
    maxBuffer: 64 << 20,
    env: {
      NODE_ENV: "production",
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      TARBALL: tarball,
      TARGET: target,
      PORT: String(port),
      ADMIN_PASSWORD: "release-admin-pw",
      // npm must not be needed; were it called, it could reach nothing.
      npm_config_offline: "true",
      npm_config_registry: "http://127.0.0.1:9/",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`.slice(-4000)).toBe(0);
  expect(r.stdout).toContain("health=200");
  // for the closing note, not asserted: the tarball's size and the time from it to a dashboard answering
  console.log(
    `release tarball ${(fs.statSync(tarball).size / 2 ** 20).toFixed(0)} MiB; unpack to dashboard answering: ${Number(/ready_after=([\d.]+)/.exec(r.stdout)?.[1]).toFixed(1)} s`,
  );
  expect(r.stdout).toMatch(/images=\{"backend":"local","images":\[.*"imagename":"demo-busybox-x86_64-netboot-compute"/);
  expect(r.stdout).toMatch(/cli=.*images-not-here/);
  expect(r.stdout).toMatch(/stopped/);
  expect(r.stdout).not.toMatch(/exit=\d/);
  expect(r.stdout).toMatch(/data directory: .*\/data \(default \.\/data/);
  // Nothing was installed or built on the target: no npm run, no next build.
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/installing npm dependencies|building the dashboard/);
  fs.rmSync(tmp, { recursive: true, force: true });
});

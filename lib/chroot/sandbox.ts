/**
 * The argument vector that runs a program in an isolated chroot of an image tree.
 *
 * `unshare` gives the run private mount, PID, IPC and UTS namespaces (and, unless network access is asked
 * for, a network namespace with nothing but a down loopback, so no route out). Inside, a fixed POSIX sh
 * script (SANDBOX_SCRIPT: a constant, never built from user input; every value reaches it as a positional
 * parameter) mounts the overlay and the optional /proc, /sys, /dev and resolv.conf binds (a copy of the
 * host's resolv.conf, so a command writing to it changes neither the host's nor the image's), then starts the
 * program with `chroot`. The command line itself is one argument of the image's own `/bin/sh -c`.
 *
 * Why nothing outlives a run: every mount is made inside the private mount namespace, so it disappears with
 * the namespace's last process; the script is PID 1 of the PID namespace, and when PID 1 exits the kernel
 * kills every other process in it; `--kill-child` makes PID 1 die with `unshare`, so killing `unshare`
 * kills the whole tree. fd 3 is a lifeline held by the server: when the server dies its end closes, the
 * watcher reads EOF and kills the program, so a killed server leaves no command running either.
 */
export type SandboxMode = "overlay" | "direct";

export type SandboxOptions = {
  /** the image tree (lower layer in overlay mode, the root itself in direct mode) */
  tree: string;
  /** the run's scratch directory: upper/, work/, merged/ (beside the tree, never inside it) */
  runDir: string;
  mode: SandboxMode;
  /** mount a fresh /proc of the run's PID namespace at the image's /proc */
  proc?: boolean;
  /** bind the host's /sys at the image's /sys */
  sys?: boolean;
  /** bind the host's /dev at the image's /dev */
  dev?: boolean;
  /** share the host's network and bind a copy of its /etc/resolv.conf (in the run dir) at the image's */
  network?: boolean;
  /** a pids cgroup directory the run joins before anything starts (fork bombs stop at its pids.max) */
  cgroup?: string;
  /** TERM inside (the interactive shell); commands get "dumb" */
  term?: string;
  /** the program and its arguments, resolved inside the image */
  argv: string[];
};

/** Marks the sandbox in process listings: start-up cleanup finds stale runs by it (with the run dir). */
export const SANDBOX_MARKER = "rootimg-sandbox";

export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// $0 marker, $1 tree, $2 run dir, $3 mode, $4 comma-separated binds, $5 cgroup dir or "", $6 TERM, then argv.
// Mount targets are checked to be real directories/files of the image (not symlinks), so a hostile image
// cannot point a mount at a host path. The program runs in the background so that this script stays PID 1:
// its exit then tears the namespace down, whatever the program left running.
export const SANDBOX_SCRIPT = `set -eu
tree=$1 run=$2 mode=$3 binds=,$4, cg=$5 term=$6
shift 6
if [ -n "$cg" ]; then echo 0 2>/dev/null > "$cg/cgroup.procs" || echo "rootimg: could not join the pids cgroup; no process limit" >&2; fi
root=$run/merged
if [ "$mode" = overlay ]; then
  mount -t overlay rootimg-run -o "lowerdir=$tree,upperdir=$run/upper,workdir=$run/work,redirect_dir=off,metacopy=off,index=off,xino=off" "$root"
else
  mount --bind "$tree" "$root"
fi
isdir() { [ -d "$root/$1" ] && [ ! -L "$root/$1" ]; }
case $binds in *,proc,*) if isdir proc; then mount -t proc -o nosuid,nodev,noexec proc "$root/proc"; else echo "rootimg: the image has no /proc directory; /proc not mounted" >&2; fi;; esac
case $binds in *,sys,*) if isdir sys; then mount --rbind /sys "$root/sys"; mount --make-rslave "$root/sys"; else echo "rootimg: the image has no /sys directory; /sys not mounted" >&2; fi;; esac
case $binds in *,dev,*) if isdir dev; then mount --rbind /dev "$root/dev"; mount --make-rslave "$root/dev"; else echo "rootimg: the image has no /dev directory; /dev not mounted" >&2; fi;; esac
case $binds in *,resolv,*)
  if [ -f "$root/etc/resolv.conf" ] && [ ! -L "$root/etc/resolv.conf" ] && [ -e /etc/resolv.conf ]; then cat /etc/resolv.conf > "$run/resolv.conf"; mount --bind "$run/resolv.conf" "$root/etc/resolv.conf"
  else echo "rootimg: the image's /etc/resolv.conf is missing or a symlink; the host's was not bound (name resolution may fail)" >&2; fi;;
esac
exec 9<&0
env -i PATH=${SANDBOX_PATH} HOME=/root TERM="$term" LANG=C.UTF-8 chroot "$root" "$@" 0<&9 9<&- 3<&- &
child=$!
exec 9<&-
if (true <&3) 2>/dev/null; then { while read -r _; do :; done; kill -KILL "$child" 2>/dev/null; } <&3 & fi
set +e
wait "$child"
exit $?
`;

/** `unshare` and its arguments for a run (spawn it with fd 3 as a pipe the server keeps open). */
export function sandboxCommand(o: SandboxOptions): { file: string; args: string[] } {
  if (o.argv.length === 0) throw new Error("sandboxCommand: empty argv");
  if (o.mode === "overlay" && /[,:\\]/.test(o.tree + o.runDir)) {
    // overlayfs option syntax: these characters would split lowerdir/upperdir
    throw new Error(`overlayfs cannot use a path containing ",", ":" or "\\": ${o.tree}`);
  }
  const binds = [o.proc && "proc", o.sys && "sys", o.dev && "dev", o.network && "resolv"].filter(Boolean).join(",");
  const ns = ["--mount", "--pid", "--ipc", "--uts", ...(o.network ? [] : ["--net"]), "--fork", "--kill-child", "--propagation", "private"];
  return {
    file: "unshare",
    args: [
      ...ns,
      "--",
      "/bin/sh",
      "-c",
      SANDBOX_SCRIPT,
      SANDBOX_MARKER,
      o.tree,
      o.runDir,
      o.mode,
      binds,
      o.cgroup ?? "",
      o.term ?? "dumb",
      ...o.argv,
    ],
  };
}

/**
 * Text files of the demo image: a few users and services-style files for a new user to edit, and an /init that
 * proves on a serial console which pack booted (it prints /opt/xcat/xcatinfo, written at pack time) and powers off.
 */
export const DEMO_IMAGE_NAME = "demo-busybox-x86_64-netboot-compute";

export const INIT = `#!/bin/sh
# Rootimg Studio demo image: mount the API filesystems, show which pack this is, power off.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo
echo "=== Rootimg Studio demo image: $(cat /etc/hostname) booted ==="
if [ -r /opt/xcat/xcatinfo ]; then cat /opt/xcat/xcatinfo; else echo "no /opt/xcat/xcatinfo (never packed with a stamp)"; fi
echo "--- /etc/motd ---"
cat /etc/motd
echo "--- users ---"
cut -d: -f1,3 /etc/passwd
echo "=== demo image done, powering off ==="
sync
poweroff -f
`;

export const FILES: Record<string, { text: string; mode?: number; uid?: number; gid?: number }> = {
  "etc/motd": { text: "Welcome to the Rootimg Studio demo image (busybox).\nEdit me in the browser, pack, and boot me.\n" },
  "etc/hostname": { text: "demo-compute\n" },
  "etc/passwd": {
    text: [
      "root:x:0:0:root:/root:/bin/sh",
      "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
      "munge:x:990:990:MUNGE authentication service:/var/lib/munge:/usr/sbin/nologin",
      "hpcuser:x:1001:1001:HPC user:/home/hpcuser:/bin/sh",
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
      "",
    ].join("\n"),
  },
  "etc/group": {
    text: ["root:x:0:", "daemon:x:1:", "wheel:x:10:hpcuser", "munge:x:990:", "hpcuser:x:1001:", "nogroup:x:65534:", ""].join("\n"),
  },
  "etc/shadow": {
    mode: 0o640,
    text: [
      "root:*:19700:0:99999:7:::",
      "daemon:*:19700:0:99999:7:::",
      "munge:!:19700::::::",
      "hpcuser:!:19700:0:99999:7:::",
      "nobody:*:19700:0:99999:7:::",
      "",
    ].join("\n"),
  },
  "etc/fstab": {
    text: "# <file system> <mount point> <type> <options> <dump> <pass>\nproc /proc proc defaults 0 0\nsysfs /sys sysfs defaults 0 0\ntmpfs /tmp tmpfs mode=1777 0 0\n",
  },
  "etc/hosts": { text: "127.0.0.1 localhost\n127.0.1.1 demo-compute\n" },
  "etc/ssh/sshd_config": {
    text: "# sshd_config of the demo image (no sshd in busybox: a file to edit)\nPort 22\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nUsePAM yes\nX11Forwarding no\nSubsystem sftp /usr/lib/openssh/sftp-server\n",
  },
  "etc/systemd/system/munge.service": {
    text: "[Unit]\nDescription=MUNGE authentication service\nAfter=network.target\n\n[Service]\nType=forking\nUser=munge\nExecStart=/usr/sbin/munged\nRestart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n",
  },
  "etc/systemd/system/node-health.service": {
    text: "[Unit]\nDescription=Node health check\n\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/node-health --quiet\n\n[Install]\nWantedBy=multi-user.target\n",
  },
  "etc/munge/munge.key": { text: "demo-not-a-secret-munge-key\n", mode: 0o400, uid: 990, gid: 990 },
  "usr/local/sbin/node-health": { text: "#!/bin/sh\n# prints ok when the node looks healthy\necho ok\n", mode: 0o755 },
  "usr/local/bin/hello": { text: "#!/bin/sh\necho hello from the demo image\n", mode: 0o755 },
  // setuid on purpose: the archive round trip must keep the bit
  "usr/local/sbin/suid-helper": { text: "#!/bin/sh\nid\n", mode: 0o4755 },
  "home/hpcuser/.profile": { text: "export PS1='hpcuser@demo$ '\n", uid: 1001, gid: 1001 },
  "root/.profile": { text: "export PS1='root@demo# '\n" },
};

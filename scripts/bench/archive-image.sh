#!/usr/bin/env bash
# Builds the realistic benchmark image ONCE and caches it (see scripts/bench/README.md).
#   tree:      $BENCH_DIR/image/rootimg/          (debootstrap, plain directory)
#   reference: $BENCH_DIR/image/rootimg.cpio.gz   (made by xCAT's own pipeline)
# Re-running is a no-op when both exist; delete $BENCH_DIR/image to rebuild.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO/.cache/bench}
IMG=$BENCH_DIR/image
TREE=$IMG/rootimg
PKGS=systemd,systemd-sysv,openssh-server,iputils-ping,python3,linux-image-amd64,nfs-common,sudo

# The Debian mirror apt uses here (first non-security "debian" URI in sources.list*).
find_mirror() {
  local f line
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    while read -r line; do
      case "$line" in
        URIs:*) set -- ${line#URIs:} ;;
        deb\ *) set -- $line; shift; [ "${1#[}" != "$1" ] && shift; set -- "$1" ;;
        *) continue ;;
      esac
      for u in "$@"; do
        case "$u" in *security*) ;; */debian|*/debian/) echo "${u%/}"; return 0 ;; esac
      done
    done < "$f"
  done
  return 1
}

mkdir -p "$IMG"
if [ ! -d "$TREE" ]; then
  if ! command -v debootstrap >/dev/null; then
    echo "debootstrap is missing: installing it (apt-get install debootstrap)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2 \
      || { echo "error: could not install debootstrap; install it and run this again" >&2; exit 1; }
  fi
  MIRROR=$(find_mirror) || { echo "error: no Debian mirror found in /etc/apt/sources.list*" >&2; exit 1; }
  echo "building image with debootstrap from $MIRROR (a few minutes)..." >&2
  TMP=$IMG/rootimg.partial
  rm -rf "$TMP"
  debootstrap --variant=minbase --include=$PKGS bookworm "$TMP" "$MIRROR" >"$IMG/debootstrap.log" 2>&1 \
    || { echo "error: debootstrap failed, see $IMG/debootstrap.log" >&2; exit 1; }
  # debootstrap leaves the kernel .deb in apt's cache (70 MB); a realistic compute image
  # (740 MB newc stream, largest file the 50 MB apt Packages list) has none: drop it, keep the lists.
  rm -f "$TMP"/var/cache/apt/archives/*.deb
  if ! getcap "$TMP/usr/bin/ping" | grep -q cap_net_raw; then setcap cap_net_raw+ep "$TMP/usr/bin/ping"; fi
  mkdir -p "$TMP/var/log/journal"
  if ! getfacl -cp "$TMP/var/log/journal" 2>/dev/null | grep -q '^group:adm'; then
    setfacl -m g:adm:r-x -m d:g:adm:r-x "$TMP/var/log/journal"
  fi
  mv "$TMP" "$TREE"
fi

if [ ! -f "$IMG/rootimg.cpio.gz" ]; then
  echo "making reference rootimg.cpio.gz with xCAT's pipeline..." >&2
  (cd "$TREE" && find . -xdev | cpio -H newc -o --quiet | pigz -c > ../rootimg.cpio.gz.partial)
  mv "$IMG/rootimg.cpio.gz.partial" "$IMG/rootimg.cpio.gz"
fi

# The summary costs two decompressions: compute it once, with the image.
if [ ! -f "$IMG/summary.txt" ]; then
{
count() { find "$TREE" -xdev "$@" | wc -l; }
echo "cached image: $TREE"
printf '  entries %s: files %s, dirs %s, symlinks %s, char devs %s, hard-linked files %s\n' \
  "$(count)" "$(count -type f)" "$(count -type d)" "$(count -type l)" "$(count -type c)" "$(count -type f -links +1)"
printf '  setuid %s, setgid %s, non-root owned %s, absolute symlinks %s, empty files %s\n' \
  "$(count -perm -4000)" "$(count -perm -2000 ! -type d)" "$(count \( ! -uid 0 -o ! -gid 0 \))" "$(count -type l -lname '/*')" "$(count -type f -empty)"
echo "  size (du): $(du -sh --apparent-size "$TREE" | cut -f1)"
echo "  ping caps: $(getcap "$TREE/usr/bin/ping" | cut -d' ' -f2-)"
echo "  journal ACL: $(getfacl -cp "$TREE/var/log/journal" 2>/dev/null | grep -v '^#' | tr '\n' ' ')"
echo "  largest file: $(find "$TREE" -xdev -type f -printf '%s %P\n' | sort -rn | head -1)"
echo "cached reference: $IMG/rootimg.cpio.gz ($(stat -c %s "$IMG/rootimg.cpio.gz") bytes, $(pigz -dc "$IMG/rootimg.cpio.gz" | cpio -t --quiet 2>/dev/null | wc -l) entries, newc stream $(pigz -dc "$IMG/rootimg.cpio.gz" | wc -c) bytes)"
} > "$IMG/summary.txt.partial"
mv "$IMG/summary.txt.partial" "$IMG/summary.txt"
fi
cat "$IMG/summary.txt"

#!/usr/bin/env bash
# Builds the large benchmark image for BENCH_SCALE ONCE and caches it (see scripts/bench/README.md):
# the bench image plus copies of its /usr under /opt/usr-copy-N (HPC images grow by such stacks: CUDA,
# MPI, compilers). 4g: 6 copies (~4.4 GB, ~100k entries); 8g: 12 copies (~8.2 GB, ~186k entries).
#   tree:      $BENCH_DIR/image-$SCALE/rootimg/
#   reference: $BENCH_DIR/image-$SCALE/rootimg.cpio.gz   (made by xCAT's own pipeline)
# Prints the image directory on stdout. Delete $BENCH_DIR/image-$SCALE to rebuild.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO/.cache/bench}
SCALE=${1:?usage: archive-scale.sh 4g|8g}
case "$SCALE" in
  4g) COPIES=6 ;;
  8g) COPIES=12 ;;
  *) echo "error: BENCH_SCALE must be 4g or 8g, not $SCALE" >&2; exit 2 ;;
esac
SRC=$BENCH_DIR/image/rootimg
IMG=$BENCH_DIR/image-$SCALE
[ -d "$SRC" ] || { echo "error: no bench image at $SRC (scripts/bench/archive-image.sh builds it)" >&2; exit 1; }
mkdir -p "$IMG"
if [ ! -d "$IMG/rootimg" ]; then
  echo "building the $SCALE image: bench image + $COPIES copies of its /usr under /opt (minutes)..." >&2
  TMP=$IMG/rootimg.partial
  rm -rf "$TMP"
  cp -a "$SRC" "$TMP"
  for i in $(seq 1 "$COPIES"); do cp -a "$TMP/usr" "$TMP/opt/usr-copy-$i"; done
  mv "$TMP" "$IMG/rootimg"
fi
if [ ! -f "$IMG/rootimg.cpio.gz" ]; then
  echo "making the $SCALE reference rootimg.cpio.gz with xCAT's pipeline..." >&2
  (cd "$IMG/rootimg" && find . -xdev | cpio -H newc -o --quiet | pigz -c > ../rootimg.cpio.gz.partial)
  mv "$IMG/rootimg.cpio.gz.partial" "$IMG/rootimg.cpio.gz"
fi
if [ ! -f "$IMG/summary.txt" ]; then
  {
    echo "cached $SCALE image: $IMG/rootimg"
    echo "  entries $(find "$IMG/rootimg" -xdev | wc -l), size (du): $(du -sh --apparent-size "$IMG/rootimg" | cut -f1)"
    echo "  reference: $(stat -c %s "$IMG/rootimg.cpio.gz") bytes"
  } > "$IMG/summary.txt"
fi
cat "$IMG/summary.txt" >&2
echo "$IMG"

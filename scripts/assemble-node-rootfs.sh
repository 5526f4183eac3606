#!/usr/bin/env bash
# Assembles the root filesystem of a base image from this host's own Node, for
# `docker import` (scripts/build-image-airgapped.sh calls it; no registry needed).
#
#   scripts/assemble-node-rootfs.sh runtime DEST   distroless-style: node at /nodejs/bin/node
#                                                  (where gcr.io/distroless/nodejs* keeps it),
#                                                  its libraries, passwd/group with nonroot
#                                                  (65532); no shell, no package manager.
#   scripts/assemble-node-rootfs.sh build DEST     for the Dockerfile's build stage: node and
#                                                  npm under /usr/local, a static busybox as
#                                                  /bin/sh (RUN steps need a shell), and the
#                                                  CA bundle npm needs behind a TLS-inspecting
#                                                  proxy.
#
# Inputs (environment): NODE_BIN (node binary), NPM_DIR (npm's package folder, build only),
# BUSYBOX_BIN (a statically linked busybox, build only), CA_BUNDLE (PEM file, build only,
# optional). DEST must be an empty or missing folder.
set -euo pipefail

die() { printf 'assemble-node-rootfs: %s\n' "$*" >&2; exit 1; }

mode="${1:-}"
dest="${2:-}"
[ "$mode" = runtime ] || [ "$mode" = build ] || die "usage: $0 runtime|build DEST"
[ -n "$dest" ] || die "usage: $0 runtime|build DEST"
: "${NODE_BIN:?NODE_BIN must name the node binary}"
[ -x "$NODE_BIN" ] || die "NODE_BIN=$NODE_BIN is not an executable file"
mkdir -p "$dest"
[ -z "$(ls -A "$dest")" ] || die "$dest is not empty"

# The shared libraries the dynamic loader resolves for node, at the absolute paths it
# resolved them to (the loader finds them there again inside the image: Debian's ld.so
# searches /lib/<multiarch> without an ld.so.cache). A static node lists none.
copy_libraries() {
  local binary="$1" lib
  local listing
  if ! listing="$(ldd "$binary" 2>&1)"; then
    case "$listing" in
      *"not a dynamic executable"*|*"statically linked"*) return 0 ;;
      *) die "ldd $binary failed: $listing" ;;
    esac
  fi
  if grep -q 'not found' <<<"$listing"; then die "ldd $binary misses libraries: $listing"; fi
  # "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)";
  # linux-vdso has no path (the kernel maps it).
  for lib in $(awk '{ for (i = 1; i <= NF; i++) if (substr($i, 1, 1) == "/") print $i }' <<<"$listing" | sort -u); do
    mkdir -p "$dest$(dirname "$lib")"
    cp -L "$lib" "$dest$lib"
  done
}

write_accounts() {
  mkdir -p "$dest/etc" "$dest/tmp" "$dest/root" "$dest/home/nonroot"
  chmod 1777 "$dest/tmp"
  chmod 0700 "$dest/root"
  chown 65532:65532 "$dest/home/nonroot"
  # The same accounts as distroless, so `--user nonroot` and `--user 65532` both work.
  cat >"$dest/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$dest/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
  # DOCKER_HOST=tcp://socket-proxy:2375 needs a name lookup; glibc >= 2.34 has files and
  # dns inside libc.so.6, so this file is all the NSS configuration there is.
  printf 'hosts: files dns\n' >"$dest/etc/nsswitch.conf"
}

write_accounts
copy_libraries "$NODE_BIN"

if [ "$mode" = runtime ]; then
  mkdir -p "$dest/nodejs/bin"
  cp -L "$NODE_BIN" "$dest/nodejs/bin/node"
  chmod 0755 "$dest/nodejs/bin/node"
  exit 0
fi

: "${NPM_DIR:?NPM_DIR must name npm\'s package folder (.../node_modules/npm)}"
: "${BUSYBOX_BIN:?BUSYBOX_BIN must name a static busybox}"
[ -f "$NPM_DIR/bin/npm-cli.js" ] || die "NPM_DIR=$NPM_DIR holds no bin/npm-cli.js"
[ -x "$BUSYBOX_BIN" ] || die "BUSYBOX_BIN=$BUSYBOX_BIN is not an executable file"
# The build image has no libc for busybox: only a static one starts in it reliably.
if ldd "$BUSYBOX_BIN" >/dev/null 2>&1; then die "$BUSYBOX_BIN is dynamically linked; install busybox-static"; fi

mkdir -p "$dest/usr/local/bin" "$dest/usr/local/lib/node_modules" "$dest/bin" "$dest/usr/bin"
cp -L "$NODE_BIN" "$dest/usr/local/bin/node"
chmod 0755 "$dest/usr/local/bin/node"
cp -a "$NPM_DIR" "$dest/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dest/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dest/usr/local/bin/npx"

cp "$BUSYBOX_BIN" "$dest/bin/busybox"
chmod 0755 "$dest/bin/busybox"
for applet in $("$dest/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$dest/bin/$applet"
done
# npm's scripts start with `#!/usr/bin/env node`.
ln -s ../../bin/busybox "$dest/usr/bin/env"

if [ -n "${CA_BUNDLE:-}" ]; then
  [ -r "$CA_BUNDLE" ] || die "CA_BUNDLE=$CA_BUNDLE is not readable"
  mkdir -p "$dest/etc/ssl/certs"
  cp -L "$CA_BUNDLE" "$dest/etc/ssl/certs/ca-certificates.crt"
  chmod 0644 "$dest/etc/ssl/certs/ca-certificates.crt"
fi

#!/usr/bin/env bash
# All the set-up the test suite needs, on a fresh machine of the project's kind
# or on plain Debian 12 with Go 1.26 and Rust: the system tools the tests run,
# from apt and only those missing, then the rig from the registries
# (tests/rig/build.sh: etcd, kube-apiserver, kubectl, kube-controller-manager,
# Flux, pluto, OpenTofu, cargo-dist, the aws CLI and moto). The README's
# second command, and so CI:
#
#   tests/setup.sh && cargo test --workspace --locked
#   tests/setup.sh kubectl        # arguments go to build.sh: only these components
#
# kubectl is not taken from apt: Debian 12 has only kubernetes-client 1.20
# (no `kubectl create token`), and the tests want the version of the rig's
# kube-apiserver, so build.sh builds it from the same k8s.io/kubernetes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "setup.sh: $*" >&2; exit 1; }

# Whether what `key` names is there; no output.
have() {
  case "$1" in
    certs) [ -s /etc/ssl/certs/ca-certificates.crt ] ;;
    cc) command -v cc ;;
    libssl) command -v pkg-config && pkg-config --exists openssl ;;
    git) command -v git && [ -x "$(git --exec-path)/git-http-backend" ] ;;
    openssl) command -v openssl ;;
    procps) command -v pgrep && command -v kill ;;
    script) command -v script ;;
    venv) command -v python3 && python3 -c 'import venv, ensurepip' ;;
    curl) command -v curl ;;
    chromium) [ -x /usr/bin/chromium ] ;;
    musl) command -v musl-gcc ;;
    perl) perl -MFile::Compare -MFindBin -e1 ;;
    make) command -v make ;;
    qemu) command -v qemu-aarch64-static ;;
    *) die "no check for '$1'" ;;
  esac >/dev/null 2>&1
}

# key | Debian 12 packages | who needs it
needs=(
  "certs|ca-certificates|Go, cargo and pip fetch from the registries over HTTPS"
  "cc|gcc libc6-dev|cargo links with cc; git2 compiles libgit2"
  "libssl|pkg-config libssl-dev|git2's HTTPS (openssl-sys) links the system OpenSSL"
  "git|git|tests run git, and the local forge serves git http-backend"
  "openssl|openssl|the rig makes its certificates with the openssl CLI"
  "procps|procps|tests find and signal processes with pgrep and kill"
  "script|bsdutils|the terminal tests run the binary in a pty with script"
  "venv|python3 python3-venv|tests/rig/aws.sh puts the aws CLI and moto in a venv"
  "curl|curl|the install test runs the shell installer, which downloads with curl; the rig's upgrade-control-plane asks the harness with it"
  "chromium|chromium|the report test opens verify's HTML page in headless Chromium"
  "musl|musl-tools|the release's x86_64 musl build compiles its C (libgit2, OpenSSL, ring) with musl-gcc"
  "perl|perl|the release build compiles OpenSSL, whose Configure is perl"
  "make|make|the release build compiles OpenSSL with make"
  "qemu|qemu-user-static|the install test runs the aarch64 release under qemu's user-mode emulation"
)

missing=() packages=() reasons=""
for n in "${needs[@]}"; do
  IFS='|' read -r key pkgs why <<<"$n"
  have "$key" && continue
  missing+=("$n")
  read -ra list <<<"$pkgs"
  packages+=("${list[@]}")
  reasons+=$'\n'"  $pkgs: $why"
done

if [ ${#packages[@]} -gt 0 ]; then
  echo "==> apt: installing what is missing:$reasons"
  command -v apt-get >/dev/null ||
    die "no apt-get here; install by hand what these Debian packages provide:$reasons"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${packages[@]}"
  for n in "${missing[@]}"; do
    IFS='|' read -r key pkgs why <<<"$n"
    have "$key" || die "still missing after apt-get install $pkgs ($why)"
  done
fi

command -v cargo >/dev/null || die "cargo not found on PATH: install Rust (https://rustup.rs)"
# build.sh says how to get Go when it is missing or too old.
exec "$here/rig/build.sh" "$@"

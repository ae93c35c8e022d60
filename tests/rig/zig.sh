#!/usr/bin/env bash
# What the release build (.ci/release) needs besides cargo-dist: Rust's two
# musl targets (rustup), and, for the aarch64 one, Zig and cargo-zigbuild,
# pinned, from PyPI, in a venv in the rig cache (never in the repo or the
# system Python). Zig is the C compiler and linker for aarch64: libgit2,
# OpenSSL, zlib and ring are compiled from source for the target, against the
# musl headers Zig ships. The x86_64 build uses Debian's musl-gcc
# (musl-tools; tests/setup.sh installs it).
#
#   tests/rig/zig.sh                   # tests/rig/build.sh zig runs it
#   EKS_WORKSHOP_RIG=/some/dir tests/rig/zig.sh
#
# cargo-dist runs `cargo zigbuild` when the target's architecture is not the
# host's: the venv's bin/ goes first on its PATH (.ci/release). Rebuilt only
# when the pins or the Python version change (see $RIG/stamps/zig).
set -euo pipefail

rig="${EKS_WORKSHOP_RIG:-$HOME/.cache/eks-workshop-rig}"
ziglang_version=0.17.1
zigbuild_version=0.24.0
targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl)

die() { echo "zig.sh: $*" >&2; exit 1; }

# The targets' standard libraries: rustup adds them; without rustup they must
# already be there.
for t in "${targets[@]}"; do
  [ -d "$(rustc --print sysroot)/lib/rustlib/$t" ] && continue
  command -v rustup >/dev/null 2>&1 ||
    die "Rust's $t standard library is missing and there is no rustup to add it"
  echo "==> rustup target add $t"
  rustup target add "$t"
done

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 ||
  die "$python not found on PATH: install Python 3 with its venv module (Debian: apt-get install python3 python3-venv)"
"$python" -c 'import venv, ensurepip' 2>/dev/null ||
  die "$python has no venv module: install it (Debian: apt-get install python3-venv)"
python_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"

venv="$rig/zig/venv"
stamp="ziglang $ziglang_version, cargo-zigbuild $zigbuild_version, python $python_version"
mkdir -p "$rig/zig" "$rig/stamps"

if [ -x "$venv/bin/cargo-zigbuild" ] && [ "$(cat "$rig/stamps/zig" 2>/dev/null)" = "$stamp" ]; then
  echo "==> zig: $stamp: up to date"
  exit 0
fi

echo "==> zig: installing $stamp into $venv"
start=$(date +%s)
# The stamp goes first and is written last: an interrupted install is redone.
rm -f "$rig/stamps/zig"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "ziglang==$ziglang_version" "cargo-zigbuild==$zigbuild_version" ||
  { rm -rf "$venv"; die "pip could not install ziglang==$ziglang_version and cargo-zigbuild==$zigbuild_version"; }
# cargo-zigbuild finds Zig as `python3 -m ziglang`: the venv's python3.
"$venv/bin/python3" -m ziglang version >/dev/null || die "the venv's Zig does not run"
"$venv/bin/cargo-zigbuild" --version
echo "$stamp" >"$rig/stamps/zig"
echo "    zig: installed in $(($(date +%s) - start))s"

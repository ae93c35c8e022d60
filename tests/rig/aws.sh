#!/usr/bin/env bash
# Installs what the AWS tests of `verify` run: the aws CLI (v1) and moto's
# server, pinned, from PyPI, into a venv in the rig cache, never into the repo
# or the system Python:
#
#   tests/rig/aws.sh                   # tests/rig/build.sh runs it
#   EKS_WORKSHOP_RIG=/some/dir tests/rig/aws.sh
#
# The venv is $RIG/aws/venv; tests/integration/aws.rs runs its `aws`, and its
# python with tests/rig/moto_eks.py (moto's app plus the EKS add-on and
# version-update routes moto lacks). Every dependency is pinned too, by tests/rig/aws-constraints.txt
# (`pip freeze` of the venv). It is rebuilt only when the pins, that file or
# the Python version change (see $RIG/stamps/aws).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rig="${EKS_WORKSHOP_RIG:-$HOME/.cache/eks-workshop-rig}"
constraints="$here/aws-constraints.txt"
awscli_version=1.45.11
moto_version=5.2.1

die() { echo "aws.sh: $*" >&2; exit 1; }

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 ||
  die "$python not found on PATH: install Python 3.9 or newer with its venv module (Debian: apt-get install python3 python3-venv)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' ||
  die "$("$python" --version 2>&1) is too old: moto $moto_version needs Python 3.9 or newer"
"$python" -c 'import venv, ensurepip' 2>/dev/null ||
  die "$python has no venv module: install it (Debian: apt-get install python3-venv)"
python_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"

dir="$rig/aws"
venv="$dir/venv"
[ -f "$constraints" ] || die "missing $constraints"
stamp="awscli $awscli_version, moto[server] $moto_version, python $python_version, constraints $(sha256sum "$constraints" | cut -c1-12)"
mkdir -p "$dir" "$rig/stamps"

if [ -x "$venv/bin/aws" ] && [ -x "$venv/bin/moto_server" ] &&
  [ "$(cat "$rig/stamps/aws" 2>/dev/null)" = "$stamp" ]; then
  echo "==> aws: $stamp: up to date"
  exit 0
fi

echo "==> aws: installing $stamp into $venv"
start=$(date +%s)
# The stamp goes first and is written last: an interrupted install is redone.
rm -f "$rig/stamps/aws"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c "$constraints" \
  "awscli==$awscli_version" "moto[server]==$moto_version" ||
  { rm -rf "$venv"; die "pip could not install awscli==$awscli_version and moto[server]==$moto_version"; }
"$venv/bin/aws" --version
"$venv/bin/python" -c 'import moto, sys; sys.exit(moto.__version__ != sys.argv[1])' "$moto_version" ||
  die "the venv's moto is not $moto_version"
echo "$stamp" >"$rig/stamps/aws"
echo "    aws: installed in $(($(date +%s) - start))s"

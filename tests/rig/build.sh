#!/usr/bin/env bash
# Builds the real-cluster test rig: etcd, kube-apiserver, kubectl,
# kube-controller-manager, the three Flux controllers, pluto and OpenTofu, from
# the Go module proxy, into a cache outside the repo; and cargo-dist (`dist`,
# from crates.io) with what its release build needs (zig: tests/rig/zig.sh),
# which .ci/release and the install test release with. tests/setup.sh runs
# it after installing the system packages.
#
#   tests/rig/build.sh                 # everything that is missing or out of date
#   tests/rig/build.sh etcd pluto      # only these
#   EKS_WORKSHOP_RIG=/some/dir tests/rig/build.sh
#
# Each component is a small wrapper module in tests/rig/<name>/ whose committed
# go.mod/go.sum pin the version; the build is `go build -mod=readonly`, so it
# never changes them. A component is rebuilt only when its pinned version, its
# wrapper go.mod/go.sum or the Go version changed (see $RIG/stamps/).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rig="${EKS_WORKSHOP_RIG:-$HOME/.cache/eks-workshop-rig}"

# name | main package | module whose version is pinned | CRD subdir (or -)
components=(
  "pluto|github.com/fairwindsops/pluto/v5/cmd/pluto|github.com/fairwindsops/pluto/v5|-"
  "etcd|go.etcd.io/etcd/server/v3|go.etcd.io/etcd/server/v3|-"
  "kube-apiserver|k8s.io/kubernetes/cmd/kube-apiserver|k8s.io/kubernetes|-"
  "kubectl|k8s.io/kubernetes/cmd/kubectl|k8s.io/kubernetes|-"
  "kube-controller-manager|k8s.io/kubernetes/cmd/kube-controller-manager|k8s.io/kubernetes|-"
  "source-controller|github.com/fluxcd/source-controller|github.com/fluxcd/source-controller|source"
  "kustomize-controller|github.com/fluxcd/kustomize-controller|github.com/fluxcd/kustomize-controller|kustomize"
  "helm-controller|github.com/fluxcd/helm-controller|github.com/fluxcd/helm-controller|helm"
  "tofu|github.com/opentofu/opentofu/cmd/tofu|github.com/opentofu/opentofu|-"
  "flux|github.com/fluxcd/flux2/v2/cmd/flux|github.com/fluxcd/flux2/v2|-"
)

die() { echo "build.sh: $*" >&2; exit 1; }

wanted=("$@")
is_wanted() {
  [ ${#wanted[@]} -eq 0 ] && return 0
  local w
  for w in "${wanted[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}
# dist and zig (the release build's tools) need no Go.
need_go=$([ ${#wanted[@]} -eq 0 ] && echo yes || echo no)
for w in "${wanted[@]}"; do
  case "$w" in dist | zig) continue ;; esac
  need_go=yes
  found=no
  for c in "${components[@]}"; do [ "${c%%|*}" = "$w" ] && found=yes; done
  [ "$found" = yes ] || die "unknown component '$w' (known: $(for c in "${components[@]}"; do printf '%s ' "${c%%|*}"; done)dist zig)"
done

go_version=none
if [ "$need_go" = yes ]; then
  if ! command -v go >/dev/null 2>&1; then
    die "go not found on PATH: install Go 1.26 or newer (https://go.dev/doc/install, or your package manager) and run this again"
  fi
  go_version="$(go env GOVERSION)"
  case "$go_version" in
    go1.2[6-9]* | go1.[3-9][0-9]* | go[2-9]*) ;;
    *) die "found $go_version; install Go 1.26 or newer (the pinned kube-apiserver needs 1.26.0)" ;;
  esac
fi

mkdir -p "$rig/bin" "$rig/crds" "$rig/stamps"
export GOFLAGS="-mod=readonly -buildvcs=false"

# Version of `module` that the wrapper in dir resolves to.
pinned_version() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }

# Version stamps go build cannot know (module builds carry no git metadata).
# Without them kube-apiserver reports v0.0.0-master+$Format:%H$, which kubectl
# and the kube crate cannot parse as a version.
ldflags_for() {
  local name="$1" version="$2"
  case "$name" in
    kube-apiserver) k8s_stamps "$version" k8s.io/component-base/version ;;
    # `kubectl version` reads component-base's stamps, its User-Agent
    # client-go's: stamp both, as Kubernetes' own release build does.
    kubectl) k8s_stamps "$version" k8s.io/component-base/version k8s.io/client-go/pkg/version ;;
    kube-controller-manager) k8s_stamps "$version" k8s.io/component-base/version k8s.io/client-go/pkg/version ;;
    pluto) echo "-X main.version=${version#v} -X main.commit=module-proxy" ;;
    # The version comes from an embedded VERSION file; without dev=no it
    # says 1.12.6-dev, as an unreleased build would.
    tofu) echo "-X github.com/opentofu/opentofu/version.dev=no" ;;
    # `flux version` says 0.0.0-dev.0 without it, as a source build would.
    flux) echo "-X main.VERSION=${version#v}" ;;
  esac
}

# -X flags for a Kubernetes version (v1.36.3) in each of the given packages.
k8s_stamps() {
  local version="$1" minor p flags=()
  shift
  minor="${version#v1.}"
  minor="${minor%%.*}"
  for p in "$@"; do
    flags+=("-X $p.gitVersion=$version -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean")
  done
  echo "${flags[*]}"
}

stamp_of() {
  local dir="$1" version="$2"
  {
    echo "$version"
    echo "$go_version"
    ldflags_for "$name" "$version"
    cat "$dir/go.mod" "$dir/go.sum"
  } | sha256sum | cut -d' ' -f1
}

# Where a component goes: the tools the binary under test may find on PATH
# in bin/, the peers the benchmarks measure it against in peers/ (a flux CLI
# on its PATH would change how setup installs Flux).
bin_dir() {
  case "$1" in
    flux) echo "$rig/peers" ;;
    *) echo "$rig/bin" ;;
  esac
}

# The flux CLI embeds the install manifests its release build generates
# (cmd/flux/manifests/*.yaml, not in the module), so `go build` of the
# module refuses the empty //go:embed. The benchmark runs `flux reconcile`
# and `flux get`, never `flux install`: built from a writable copy of the
# module with a placeholder there, as its own main module (its go.mod and
# go.sum, replace lines included, as its release build uses them).
build_flux() {
  local dir="$1" module="$2" pkg="$3" ldflags="$4" out="$5" src tmp
  # `go list -m` names the module's directory only once it is in the module
  # cache: on a fresh machine nothing has downloaded it yet.
  (cd "$dir" && go mod download "$module")
  src="$(cd "$dir" && go list -m -f '{{.Dir}}' "$module")"
  [ -d "$src" ] || die "module $module not in the module cache"
  tmp="$(mktemp -d)"
  cp -r "$src" "$tmp/src"
  chmod -R u+w "$tmp/src"
  mkdir -p "$tmp/src/cmd/flux/manifests"
  echo "# placeholder: flux's release build generates the install manifests here" \
    >"$tmp/src/cmd/flux/manifests/placeholder.yaml"
  (cd "$tmp/src" && go build -trimpath -ldflags="$ldflags" -o "$out" "./${pkg#"$module"/}")
  rm -rf "$tmp"
}

copy_crds() {
  local dir="$1" module="$2" sub="$3" src
  (cd "$dir" && go mod download "$module")
  src="$(cd "$dir" && go list -m -f '{{.Dir}}' "$module")/config/crd/bases"
  [ -d "$src" ] || die "no CRDs at $src"
  rm -rf "$rig/crds/$sub"
  mkdir -p "$rig/crds/$sub"
  # The module cache is read-only; install gives the copies normal modes.
  install -m 0644 "$src"/*.yaml "$rig/crds/$sub/"
}

total_start=$(date +%s)
built=0
for c in "${components[@]}"; do
  IFS='|' read -r name pkg module crds <<<"$c"
  is_wanted "$name" || continue
  dir="$here/$name"
  [ -f "$dir/go.mod" ] || die "missing wrapper module $dir/go.mod"
  echo "==> $name: resolving $module"
  version="$(pinned_version "$dir" "$module")"
  stamp="$(stamp_of "$dir" "$version")"
  if [ -x "$(bin_dir "$name")/$name" ] && [ "$(cat "$rig/stamps/$name" 2>/dev/null)" = "$stamp" ] &&
    { [ "$crds" = - ] || [ -n "$(ls "$rig/crds/$crds" 2>/dev/null)" ]; }; then
    echo "    $name $version: up to date"
    continue
  fi
  echo "    building $name $version ($pkg)"
  start=$(date +%s)
  ldflags="-s -w $(ldflags_for "$name" "$version")"
  out="$(bin_dir "$name")"
  mkdir -p "$out"
  if [ "$name" = flux ]; then
    build_flux "$dir" "$module" "$pkg" "$ldflags" "$out/$name.tmp"
  else
    (cd "$dir" && go build -trimpath -ldflags="$ldflags" -o "$out/$name.tmp" "$pkg")
  fi
  mv "$out/$name.tmp" "$out/$name"
  if [ "$crds" != - ]; then copy_crds "$dir" "$module" "$crds"; fi
  echo "$stamp" >"$rig/stamps/$name"
  echo "$version" >"$rig/stamps/$name.version"
  echo "    $name $version: built in $(($(date +%s) - start))s"
  built=$((built + 1))
done

# cargo-dist, at the version dist-workspace.toml names, from crates.io.
dist_version="$(sed -n 's/^cargo-dist-version = "\(.*\)"/\1/p' "$here/../../dist-workspace.toml")"
[ -n "$dist_version" ] || die "no cargo-dist-version in dist-workspace.toml"
if is_wanted dist; then
  if [ -x "$rig/dist/bin/dist" ] && [ "$(cat "$rig/stamps/dist.version" 2>/dev/null)" = "$dist_version" ]; then
    echo "==> dist $dist_version: up to date"
  else
    echo "==> dist: cargo install cargo-dist@$dist_version --locked (a few minutes the first time)"
    start=$(date +%s)
    # --debug: dist runs for seconds in one test; skipping optimisation saves compile time.
    CARGO_TARGET_DIR="$rig/dist-build" cargo install --quiet --locked --force --debug \
      --root "$rig/dist" "cargo-dist@$dist_version"
    rm -rf "$rig/dist-build"
    echo "$dist_version" >"$rig/stamps/dist.version"
    echo "    dist $dist_version: built in $(($(date +%s) - start))s"
    built=$((built + 1))
  fi
fi

[ ${#wanted[@]} -eq 0 ] && "$here/aws.sh" # the aws CLI and moto, in a venv (tests/integration/aws.rs)
# The release build's musl targets, Zig and cargo-zigbuild (.ci/release).
if is_wanted zig; then "$here/zig.sh"; fi

# The list names the Go the rig was built with: rewritten only by a run that used Go.
if [ "$need_go" = yes ]; then {
  echo "# eks-workshop real-cluster rig, built with $go_version"
  for c in "${components[@]}"; do
    name="${c%%|*}"
    [ -f "$rig/stamps/$name.version" ] && echo "$name $(cat "$rig/stamps/$name.version")"
  done
  if [ -f "$rig/stamps/dist.version" ]; then echo "dist $(cat "$rig/stamps/dist.version")"; fi
  if [ -f "$rig/stamps/zig" ]; then cat "$rig/stamps/zig"; fi
} >"$rig/versions.txt"; fi

echo "==> rig at $rig: $built built in $(($(date +%s) - total_start))s"

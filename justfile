# Conveniences; the README's commands are plain cargo.

# Try the whole setup offline, on the embedded workshop repo
demo dir="/tmp/eks-workshop-demo":
    cargo run -- --dir {{dir}} setup --offline --yes --values templates/values.example.yaml

# The test suite (the README's second command): set-up (apt, the rig), then every test
test:
    tests/setup.sh && cargo test --workspace --locked

# What CI runs (.ci/run): the test suite, then format, lints and the benches compiled
check:
    .ci/run

# Benchmarks: each prints its figures, then one table of them all (the README's)
bench:
    #!/usr/bin/env bash
    set -euo pipefail
    mkdir -p target
    cargo bench 2>&1 | tee target/bench.log
    echo
    echo "measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -m)), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| figure | ours | peer | ratio | how measured |"
    echo "|---|---|---|---|---|"
    sed -n 's/^row: //p' target/bench.log

# The release archives (x86_64 and aarch64, static) and the installer, in target/distrib/
release:
    .ci/release

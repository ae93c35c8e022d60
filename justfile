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

# Benchmarks: they print their figures
bench:
    cargo bench

# The release archives (x86_64 and aarch64, static) and the installer, in target/distrib/
release:
    .ci/release

# Conveniences; the README's commands are plain cargo.

# Try the whole setup offline, on the embedded workshop repo
demo dir="/tmp/eks-workshop-demo":
    cargo run -- --dir {{dir}} setup --offline --yes --values templates/values.example.yaml

# The test suite (what CI runs): the real-cluster rig, then every test
test:
    tests/rig/build.sh && cargo test --workspace --locked

# Format, lint, test
check:
    cargo fmt --all -- --check
    cargo clippy --all-targets -- -D warnings
    tests/rig/build.sh && cargo test --workspace --locked

# Benchmarks: they print their figures
bench:
    cargo bench

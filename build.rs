// `workshop/` and `templates/` are embedded at build time (include_dir,
// include_str): rebuild when a file in them is added, removed or changed.
// The commit the binary is built from goes into `--version`.
fn main() {
    println!("cargo:rerun-if-changed=workshop");
    println!("cargo:rerun-if-changed=templates");
    // The reflog moves with every commit and checkout.
    println!("cargo:rerun-if-changed=.git/logs/HEAD");
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "unknown commit".into());
    println!("cargo:rustc-env=EKS_WORKSHOP_COMMIT={commit}");
}

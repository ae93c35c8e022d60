//! Getting eks-workshop as a participant does: `dist build` (cargo-dist, from
//! `dist-workspace.toml`) makes the release archive, its sha256 and the shell
//! installer; they are served from loopback, and the README's install line
//! runs with only the download URL pointed there. The installed binary then
//! runs `setup --offline` on the embedded repo. Served an archive with one
//! byte changed, the installer refuses it on its sha256 and installs nothing.
//!
//! `dist` comes from `tests/rig/build.sh` (into the rig's cache); missing, the
//! test fails and names the script.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use harness::cluster::helmrepo::HelmRepo;

use crate::support::{example_values, repo_root};

const TARGET: &str = "x86_64-unknown-linux-gnu";
const ARCHIVE: &str = "eks-workshop-x86_64-unknown-linux-gnu.tar.gz";
const INSTALLER: &str = "eks-workshop-installer.sh";

fn rig() -> PathBuf {
    std::env::var_os("EKS_WORKSHOP_RIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/eks-workshop-rig")
        })
}

fn dist() -> PathBuf {
    let dist = rig().join("dist/bin/dist");
    assert!(
        dist.is_file(),
        "{} is missing: run `tests/rig/build.sh dist` (it installs cargo-dist into the rig's cache)",
        dist.display()
    );
    dist
}

/// `dist build` of the release artifacts, once for the tests that need it
/// (two builds at once would write the same `target/distrib/`).
fn release() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(build_release).clone()
}

/// `dist build` of the release artifacts: compiled in a target dir outside
/// the repo (kept, so a second run is quick); dist puts what it makes in the
/// workspace's `target/distrib/`.
fn build_release() -> PathBuf {
    let target = rig().join("dist-target");
    let out = Command::new(dist())
        .args(["build", "--artifacts=all", "--target", TARGET])
        .current_dir(repo_root())
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("run dist");
    assert!(
        out.status.success(),
        "dist build failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    repo_root().join("target/distrib")
}

/// The names inside a `.tar.gz`.
fn archive_names(path: &Path) -> Vec<String> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
    let mut archive = tar::Archive::new(gz);
    archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect()
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_installer_of_a_local_release_installs_an_eks_workshop_that_sets_up_offline() {
    let distrib = release();
    let archive = distrib.join(ARCHIVE);
    let names = archive_names(&archive);
    for wanted in [
        "eks-workshop",
        "completions/eks-workshop.bash",
        "completions/eks-workshop.zsh",
        "completions/eks-workshop.fish",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(wanted)),
            "{wanted} in the archive: {names:?}"
        );
    }
    let checksum = std::fs::read_to_string(distrib.join(format!("{ARCHIVE}.sha256"))).unwrap();
    assert!(checksum.starts_with(&sha256_hex(&archive)), "{checksum}");

    let server = serve(&distrib, false);
    let home = tempfile::tempdir().unwrap();
    let (ok, said) = install(&server, home.path());
    assert!(ok, "the installer failed:\n{said}");
    let installed = home.path().join(".local/bin/eks-workshop");
    assert!(installed.is_file(), "installed into ~/.local/bin:\n{said}");

    let version = Command::new(&installed).arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout).to_string();
    assert!(version.starts_with("eks-workshop 0.1.0 ("), "{version}");
    assert!(
        !version.contains("unknown commit"),
        "built from a checkout: {version}"
    );

    let demo = home.path().join("demo");
    let out = Command::new(&installed)
        .args([
            "--dir",
            demo.to_str().unwrap(),
            "setup",
            "--offline",
            "--yes",
            "--values",
        ])
        .arg(example_values())
        .env("HOME", home.path())
        // The preflight's `kubectl kustomize` is the rig's, as in every test.
        .env("PATH", crate::support::path_with(&[]))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(demo.join("eks-cluster-upgrades-workshop/gitops").is_dir());
}

/// The release, served from loopback like GitHub's download URL; with
/// `tamper`, the archive has one byte changed (its sha256 file as built).
fn serve(distrib: &Path, tamper: bool) -> HelmRepo {
    let server = HelmRepo::start();
    for name in [INSTALLER, ARCHIVE, &format!("{ARCHIVE}.sha256")] {
        let mut bytes = std::fs::read(distrib.join(name)).unwrap();
        if tamper && name == ARCHIVE {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0xff;
        }
        server.add_file(name, &bytes);
    }
    server
}

/// The README's install line, the URL pointed at `server`, for a user whose
/// home is `home`: whether it succeeded, and what it said.
fn install(server: &HelmRepo, home: &Path) -> (bool, String) {
    let base = server.url().trim_end_matches('/').to_string();
    let line = format!("curl --proto '=http' -LsSf {base}/{INSTALLER} | sh");
    let out = Command::new("sh")
        .args(["-c", &line])
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home)
        .env("INSTALLER_DOWNLOAD_URL", &base)
        .output()
        .unwrap();
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[test]
fn the_installer_refuses_an_archive_whose_sha256_does_not_match() {
    let distrib = release();
    let server = serve(&distrib, true);
    let home = tempfile::tempdir().unwrap();
    let (ok, said) = install(&server, home.path());
    assert!(!ok, "the installer accepted a tampered archive:\n{said}");
    assert!(said.to_lowercase().contains("checksum"), "{said}");
    assert!(
        !home.path().join(".local/bin/eks-workshop").exists(),
        "nothing installed:\n{said}"
    );
}

#[test]
fn the_completions_in_the_repo_are_what_the_binary_prints() {
    for shell in ["bash", "zsh", "fish"] {
        let committed =
            std::fs::read_to_string(repo_root().join(format!("completions/eks-workshop.{shell}")))
                .unwrap();
        let printed = crate::support::Workshop::new()
            .cmd(&["completions", shell])
            .run()
            .success()
            .stdout;
        assert!(
            committed == printed,
            "completions/eks-workshop.{shell} is stale: regenerate with `cargo run -- completions {shell} > completions/eks-workshop.{shell}`"
        );
    }
}

//! Getting eks-workshop as a participant does, on each machine a workshop
//! hands out. `.ci/release` (the project's release build: `dist build` from
//! `dist-workspace.toml`) makes the static x86_64 and aarch64 (musl)
//! archives, their sha256 files and the shell installer; each binary's ELF
//! headers show no interpreter and no shared library, so no glibc (Amazon
//! Linux 2's 2.26 or any other) has to match. They are served from loopback,
//! and the README's install line runs with only the download URL pointed
//! there and `uname -m` answered as each machine answers it: the installer
//! picks that machine's archive, and the installed binary runs `--version`
//! and `setup --offline` on the embedded repo — natively on x86_64, under
//! qemu's user-mode emulation (`qemu-aarch64-static`) on aarch64. A machine
//! of neither architecture is told there is no download for it; served an
//! archive with one byte changed, the installer refuses it on its sha256.
//! Either way nothing is installed.
//!
//! What the release needs (cargo-dist, Zig and cargo-zigbuild, Rust's musl
//! targets, musl-gcc) `.ci/release` installs through `tests/setup.sh dist
//! zig`; qemu-aarch64-static comes from `tests/setup.sh` (apt).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use harness::cluster::helmrepo::HelmRepo;

use crate::support::{example_values, repo_root};

const INSTALLER: &str = "eks-workshop-installer.sh";

/// A machine a participant may be handed, as the release serves it.
struct Machine {
    /// What its `uname -m` says.
    uname: &'static str,
    /// The archive the installer should pick for it.
    triple: &'static str,
    /// The ELF `e_machine` of its binaries.
    elf_machine: u16,
    /// What runs its binaries here: nothing (natively), or an emulator.
    runner: Option<&'static str>,
}

const X86_64: Machine = Machine {
    uname: "x86_64",
    triple: "x86_64-unknown-linux-musl",
    elf_machine: 62, // EM_X86_64
    runner: None,
};

const AARCH64: Machine = Machine {
    uname: "aarch64",
    triple: "aarch64-unknown-linux-musl",
    elf_machine: 183, // EM_AARCH64
    runner: Some("qemu-aarch64-static"),
};

impl Machine {
    fn archive(&self) -> String {
        format!("eks-workshop-{}.tar.gz", self.triple)
    }

    /// A command running `binary` on this machine's architecture.
    fn command(&self, binary: &Path) -> Command {
        match self.runner {
            None => Command::new(binary),
            Some(emulator) => {
                let mut cmd = Command::new(emulator);
                cmd.arg(binary);
                cmd
            }
        }
    }
}

fn rig() -> PathBuf {
    std::env::var_os("EKS_WORKSHOP_RIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/eks-workshop-rig")
        })
}

/// The release artifacts, built once for the tests that need them (two
/// builds at once would write the same `target/distrib/`).
fn release() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(build_release).clone()
}

/// `.ci/release`, compiling in a target dir outside the repo (kept, so a
/// second run is quick); dist puts what it makes in the workspace's
/// `target/distrib/`.
fn build_release() -> PathBuf {
    let out = Command::new(repo_root().join(".ci/release"))
        .current_dir(repo_root())
        .env("CARGO_TARGET_DIR", rig().join("release-target"))
        .output()
        .expect("run .ci/release");
    assert!(
        out.status.success(),
        ".ci/release failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    repo_root().join("target/distrib")
}

/// The entries of a `.tar.gz`: name and bytes.
fn archive_entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
    let mut archive = tar::Archive::new(gz);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the loader is asked for by an ELF64 little-endian executable: its
/// machine, its interpreter (`PT_INTERP`) and the shared libraries of its
/// dynamic section (`DT_NEEDED`).
#[derive(Debug)]
struct Linking {
    machine: u16,
    interpreter: Option<String>,
    needed: Vec<String>,
}

fn linking(elf: &[u8]) -> Linking {
    let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap());
    let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap());
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    assert_eq!(&elf[..4], b"\x7fELF", "not an ELF file");
    assert_eq!((elf[4], elf[5]), (2, 1), "not ELF64 little-endian");
    let cstr = |o: usize| {
        let end = o + elf[o..].iter().position(|&b| b == 0).unwrap();
        String::from_utf8_lossy(&elf[o..end]).to_string()
    };
    // (type, file offset, vaddr, file size) of each program header.
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36) as usize, u16_at(0x38));
    let headers: Vec<(u32, usize, usize, usize)> = (0..phnum as usize)
        .map(|i| phoff + i * phentsize)
        .map(|h| (u32_at(h), u64_at(h + 8), u64_at(h + 16), u64_at(h + 32)))
        .collect();
    const PT_LOAD: u32 = 1;
    const PT_DYNAMIC: u32 = 2;
    const PT_INTERP: u32 = 3;
    let interpreter = headers
        .iter()
        .find(|h| h.0 == PT_INTERP)
        .map(|&(_, offset, _, _)| cstr(offset));
    let mut needed = Vec::new();
    if let Some(&(_, offset, _, size)) = headers.iter().find(|h| h.0 == PT_DYNAMIC) {
        let entries: Vec<(usize, usize)> = (offset..offset + size)
            .step_by(16)
            .map(|e| (u64_at(e), u64_at(e + 8)))
            .take_while(|&(tag, _)| tag != 0)
            .collect();
        const DT_NEEDED: usize = 1;
        const DT_STRTAB: usize = 5;
        // The string table is named by its address: found in the file
        // through the loaded segment holding it.
        let strtab = entries.iter().find(|e| e.0 == DT_STRTAB).map(|&(_, addr)| {
            let &(_, offset, vaddr, _) = headers
                .iter()
                .find(|h| h.0 == PT_LOAD && h.2 <= addr && addr < h.2 + h.3)
                .expect("DT_STRTAB in a loaded segment");
            offset + (addr - vaddr)
        });
        for &(tag, val) in &entries {
            if tag == DT_NEEDED {
                needed.push(match strtab {
                    Some(strtab) => cstr(strtab + val),
                    None => format!("(a library at string {val}, no DT_STRTAB)"),
                });
            }
        }
    }
    Linking {
        machine: u16_at(0x12),
        interpreter,
        needed,
    }
}

/// The binary in `machine`'s archive.
fn released_binary(distrib: &Path, machine: &Machine) -> Vec<u8> {
    archive_entries(&distrib.join(machine.archive()))
        .into_iter()
        .find(|(name, _)| name == "eks-workshop" || name.ends_with("/eks-workshop"))
        .expect("eks-workshop in the archive")
        .1
}

#[test]
fn each_release_archive_holds_a_static_binary_the_completions_and_its_sha256() {
    let distrib = release();
    for machine in [X86_64, AARCH64] {
        let archive = distrib.join(machine.archive());
        let names: Vec<String> = archive_entries(&archive)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        for wanted in [
            "eks-workshop",
            "completions/eks-workshop.bash",
            "completions/eks-workshop.zsh",
            "completions/eks-workshop.fish",
        ] {
            assert!(
                names.iter().any(|n| n.ends_with(wanted)),
                "{wanted} in {}: {names:?}",
                machine.archive()
            );
        }
        let checksum =
            std::fs::read_to_string(distrib.join(format!("{}.sha256", machine.archive()))).unwrap();
        assert!(checksum.starts_with(&sha256_hex(&archive)), "{checksum}");

        // Static: the loader is asked for nothing, so no glibc version (or
        // any other library of the machine) has to match.
        let linking = linking(&released_binary(&distrib, &machine));
        assert_eq!(linking.machine, machine.elf_machine, "{}", machine.triple);
        assert!(
            linking.interpreter.is_none() && linking.needed.is_empty(),
            "{} is not static: {linking:?}",
            machine.triple
        );
    }
}

#[test]
fn the_installer_installs_the_x86_64_release_which_sets_up_offline() {
    installs_and_sets_up(&X86_64);
}

#[test]
fn the_installer_installs_the_aarch64_release_which_sets_up_offline_under_emulation() {
    installs_and_sets_up(&AARCH64);
}

/// The README's install line on a machine whose `uname -m` is `machine`'s,
/// then the installed binary's `--version` and `setup --offline`.
fn installs_and_sets_up(machine: &Machine) {
    let distrib = release();
    let server = serve(&distrib, false);
    let home = tempfile::tempdir().unwrap();
    let (ok, said) = install(&server, home.path(), machine.uname);
    assert!(ok, "the installer failed:\n{said}");
    // "downloading eks-workshop 0.1.0 x86_64-unknown-linux-musl-static"
    assert!(
        said.contains(&format!(
            "downloading eks-workshop 0.1.0 {}",
            machine.triple
        )),
        "it picked {}:\n{said}",
        machine.archive()
    );
    let installed = home.path().join(".local/bin/eks-workshop");
    assert!(installed.is_file(), "installed into ~/.local/bin:\n{said}");
    let linking = linking(&std::fs::read(&installed).unwrap());
    assert_eq!(linking.machine, machine.elf_machine, "{}", machine.triple);

    let version = machine
        .command(&installed)
        .arg("--version")
        .output()
        .unwrap();
    let version = String::from_utf8_lossy(&version.stdout).to_string();
    assert!(version.starts_with("eks-workshop 0.1.0 ("), "{version}");
    assert!(
        !version.contains("unknown commit"),
        "built from a checkout: {version}"
    );

    let demo = home.path().join("demo");
    let out = machine
        .command(&installed)
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

#[test]
fn the_installer_tells_a_machine_of_another_architecture_there_is_no_download_for_it() {
    let distrib = release();
    let server = serve(&distrib, false);
    let home = tempfile::tempdir().unwrap();
    let (ok, said) = install(&server, home.path(), "riscv64");
    assert!(!ok, "the installer succeeded on riscv64:\n{said}");
    assert!(
        said.contains("there isn't a download for your platform riscv64"),
        "{said}"
    );
    assert!(
        !home.path().join(".local/bin/eks-workshop").exists(),
        "nothing installed:\n{said}"
    );
}

/// The release, served from loopback like GitHub's download URL; with
/// `tamper`, each archive has one byte changed (its sha256 file as built).
fn serve(distrib: &Path, tamper: bool) -> HelmRepo {
    let server = HelmRepo::start();
    let mut names = vec![INSTALLER.to_string()];
    for machine in [X86_64, AARCH64] {
        names.push(format!("{}.sha256", machine.archive()));
        names.push(machine.archive());
    }
    for name in names {
        let mut bytes = std::fs::read(distrib.join(&name)).unwrap();
        if tamper && name.ends_with(".tar.gz") {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0xff;
        }
        server.add_file(&name, &bytes);
    }
    server
}

/// The README's install line, the URL pointed at `server`, for a user whose
/// home is `home` on a machine whose `uname -m` says `arch` (a `uname` first
/// on PATH answers that, and hands every other question to the real one):
/// whether it succeeded, and what it said.
fn install(server: &HelmRepo, home: &Path, arch: &str) -> (bool, String) {
    let stubs = tempfile::tempdir().unwrap();
    let uname = stubs.path().join("uname");
    std::fs::write(
        &uname,
        format!(
            "#!/bin/sh\nif [ \"$1\" = -m ]; then echo {arch}; else exec /usr/bin/uname \"$@\"; fi\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&uname, std::fs::Permissions::from_mode(0o755)).unwrap();

    let base = server.url().trim_end_matches('/').to_string();
    let line = format!("curl --proto '=http' -LsSf {base}/{INSTALLER} | sh");
    let out = Command::new("sh")
        .args(["-c", &line])
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", stubs.path().display()),
        )
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
    let (ok, said) = install(&server, home.path(), "x86_64");
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

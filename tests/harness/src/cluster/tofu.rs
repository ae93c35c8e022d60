//! OpenTofu, built into the rig from the Go module proxy (terraform's own
//! module cannot be: its nested-module replaces mean nothing outside its
//! repository), for tests that drive terraform configurations: the
//! workshop's control plane is upgraded by `terraform apply`.
//!
//! Tests run it offline. The configurations they use need no provider from
//! a registry (`terraform_data` is built in, modules are local), and the
//! environment from [`Rig::tofu_env`] makes sure nothing is fetched: a CLI
//! configuration whose only provider source is an empty local mirror, no
//! version check, and every HTTP(S) request that is not to loopback sent to
//! a proxy on a port nothing listens on, so an attempt fails at once
//! instead of reaching out.

use super::Rig;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where nothing listens (the discard port): what a registry request is
/// sent to, and refused.
const NO_PROXY_HERE: &str = "http://127.0.0.1:9";

impl Rig {
    /// The rig's OpenTofu (`bin/tofu`); panics naming `tests/setup.sh` when
    /// it is missing.
    pub fn tofu(&self) -> PathBuf {
        self.bin("tofu")
    }

    /// The environment that keeps tofu (or anything run as terraform) off
    /// the network, using `scratch` for its CLI configuration, an empty
    /// provider mirror, a plugin cache and HOME:
    ///
    /// - `TF_CLI_CONFIG_FILE`: `provider_installation` with only a
    ///   `filesystem_mirror` (empty), so no registry is asked for a
    ///   provider; `disable_checkpoint`; also overrides a developer's own
    ///   (which may name a file that does not exist);
    /// - `TF_PLUGIN_CACHE_DIR`, `HOME`: under `scratch`, never the
    ///   developer's;
    /// - `CHECKPOINT_DISABLE=1`, `TF_IN_AUTOMATION=1`, `TF_INPUT=0`;
    /// - `HTTP_PROXY`/`HTTPS_PROXY` (both cases) to a refused loopback port,
    ///   `NO_PROXY=127.0.0.1,localhost`: loopback (the rig) still works.
    pub fn tofu_env(&self, scratch: &Path) -> Vec<(String, String)> {
        let mirror = scratch.join("provider-mirror");
        let cache = scratch.join("plugin-cache");
        let home = scratch.join("home");
        for d in [&mirror, &cache, &home] {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("tofu: create {d:?}: {e}"));
        }
        let rc = scratch.join("tofurc");
        let text = format!(
            "# Written by the rig: providers only from an empty local mirror.\n\
             disable_checkpoint = true\n\
             plugin_cache_dir = \"{}\"\n\
             provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            cache.display(),
            mirror.display()
        );
        std::fs::write(&rc, text).unwrap_or_else(|e| panic!("tofu: write {rc:?}: {e}"));
        let s = |p: &Path| p.display().to_string();
        let mut env = vec![
            ("TF_CLI_CONFIG_FILE".into(), s(&rc)),
            ("TF_PLUGIN_CACHE_DIR".into(), s(&cache)),
            ("HOME".into(), s(&home)),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
        ];
        for key in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] {
            env.push((key.into(), NO_PROXY_HERE.into()));
        }
        for key in ["NO_PROXY", "no_proxy"] {
            env.push((key.into(), "127.0.0.1,localhost".into()));
        }
        env
    }

    /// `tofu` with [`Rig::tofu_env`], `-chdir` still to be given (or run
    /// in `current_dir`); `ALL_PROXY` and `TF_*` from the test's own
    /// environment are dropped (a developer's `TF_VAR_*` would change plans).
    pub fn tofu_command(&self, scratch: &Path) -> Command {
        let mut cmd = Command::new(self.tofu());
        for (key, _) in std::env::vars() {
            if key.starts_with("TF_") || key.eq_ignore_ascii_case("ALL_PROXY") {
                cmd.env_remove(&key);
            }
        }
        cmd.envs(self.tofu_env(scratch));
        cmd
    }
}

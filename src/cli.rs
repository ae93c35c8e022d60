//! The command line, as clap types: `run.rs` turns [`Arguments`] into the
//! plain [`crate::config::Flags`] and a [`Command`]; no command sees clap's
//! global flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Output;

const AFTER_HELP: &str = "\
Environment:
  GITHUB_TOKEN    GitHub token (never a flag); asked for with a hidden prompt when missing
  GITHUB_USER     same as --github-user        GIT_BRANCH   same as --branch
  AWS_REGION      same as --region             KUBECONFIG   kubeconfig file(s), as for kubectl
  GITHUB_API_URL  same as --github-api-url     NO_COLOR     turn colours off

Exit codes:
  0 ok   1 failure   2 invalid input or usage   3 authentication or permission
  4 verify (or upgrade's gate) found problems   5 another run holds the lock
  6 timed out waiting   7 stopped for you to decide (a PDB, a terraform plan, not your fork)
  130 interrupted (Ctrl-C); `eks-workshop resume` continues

Try it without any account:
  eks-workshop --dir /tmp/demo setup --offline --yes --values templates/values.example.yaml";

/// Set up the EKS Cluster Upgrades workshop: fork, clone, render, enable
/// add-ons, push, bootstrap Flux and wait for it. Every step checks the world
/// first, so running a command twice changes nothing, and `resume` picks up
/// after any failure.
#[derive(Debug, Parser)]
#[command(name = "eks-workshop", version = crate::VERSION, after_long_help = AFTER_HELP)]
pub(crate) struct Arguments {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub(crate) dir: PathBuf,
    /// Never prompt: a missing value is an error (for CI)
    #[arg(short, long, global = true)]
    pub(crate) yes: bool,
    /// Print what the run's log records (steps, HTTP requests, child processes) on stderr
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
    /// Output format
    #[arg(short, long, global = true, value_enum, default_value = "text")]
    pub(crate) output: Output,
    /// Work without GitHub or a cluster: the fork is a local bare repository seeded
    /// from the embedded workshop repo; cluster steps are skipped. Remembered.
    #[arg(long, global = true)]
    pub(crate) offline: bool,
    /// Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]
    #[arg(long, global = true, value_name = "OWNER/REPO")]
    pub(crate) upstream: Option<String>,
    /// Branch to work on [default: main]
    #[arg(long, global = true, env = "GIT_BRANCH")]
    pub(crate) branch: Option<String>,
    /// GitHub login (checked against the token's)
    #[arg(long, global = true, env = "GITHUB_USER", value_name = "LOGIN")]
    pub(crate) github_user: Option<String>,
    /// GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]
    #[arg(long, global = true, env = "GITHUB_API_URL", value_name = "URL")]
    pub(crate) github_api_url: Option<String>,
    /// AWS region of the workshop cluster
    #[arg(long, global = true, env = "AWS_REGION")]
    pub(crate) region: Option<String>,
    /// Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) values: Option<PathBuf>,
    /// Stop when the preflight finds Flux APIs the cluster does not serve,
    /// instead of migrating them (the `migrate` step)
    #[arg(long, global = true)]
    pub(crate) no_migrate: bool,
    /// Read template values by running `terraform output -json` in DIR
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) terraform_dir: Option<PathBuf>,
    /// Read template values from a terraform state file's outputs (no terraform needed).
    /// Without any values given, ~/environment/terraform.tfstate and
    /// <clone>/terraform/clusters/terraform.tfstate are looked for
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) terraform_state: Option<PathBuf>,
    /// Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) kubeconfig: Option<PathBuf>,
    /// Kubeconfig context [default: the current context]
    #[arg(long, global = true)]
    pub(crate) context: Option<String>,
    /// How long to wait for Flux, e.g. 90s, 10m
    #[arg(long, global = true, value_parser = humantime::parse_duration, default_value = "10m")]
    pub(crate) timeout: std::time::Duration,
    /// Flux components manifest to apply when Flux is missing and no `flux` CLI is found
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) flux_manifests: Option<PathBuf>,
    /// Fetch Flux's install manifest from URL (a mirror of the release's
    /// install.yaml) when Flux is missing; needs --flux-manifest-sha256
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "EKS_WORKSHOP_FLUX_MANIFEST_URL"
    )]
    pub(crate) flux_manifest_url: Option<String>,
    /// The sha256 the fetched install manifest must have (`sha256sum install.yaml`)
    #[arg(
        long,
        global = true,
        value_name = "HEX",
        env = "EKS_WORKSHOP_FLUX_MANIFEST_SHA256"
    )]
    pub(crate) flux_manifest_sha256: Option<String>,
    /// Replace a conflicting existing Flux Kustomization `flux-system`
    #[arg(long, global = true)]
    pub(crate) force: bool,
}

impl From<Global> for crate::config::Flags {
    fn from(g: Global) -> Self {
        crate::config::Flags {
            dir: g.dir,
            yes: g.yes,
            output: g.output,
            offline: g.offline,
            upstream: g.upstream,
            branch: g.branch,
            github_user: g.github_user,
            github_api_url: g.github_api_url,
            region: g.region,
            values: g.values,
            no_migrate: g.no_migrate,
            terraform_dir: g.terraform_dir,
            terraform_state: g.terraform_state,
            kubeconfig: g.kubeconfig,
            context: g.context,
            timeout: g.timeout,
            flux_manifests: g.flux_manifests,
            flux_manifest_url: g.flux_manifest_url,
            flux_manifest_sha256: g.flux_manifest_sha256,
            force: g.force,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// The whole path: prerequisites, fork, clone, render, addons, migrate, push, flux, reconcile
    Setup {
        /// Stop after this step
        #[arg(long, value_name = "STEP", value_parser = crate::plan::StepId::parse)]
        until: Option<crate::plan::StepId>,
        /// Add-ons to enable, e.g. karpenter,argo-workflows
        #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
        addons: Vec<String>,
        /// Forget the recorded progress and re-check every step from the start
        #[arg(long)]
        restart: bool,
        /// Check every step and show what would change (diffs, commits,
        /// objects), changing nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Continue the last command where it stopped
    Resume {
        /// Check every step and show what would change (diffs, commits,
        /// objects), changing nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Show where each step stands, and whether the cluster runs the fork's tip
    ///
    /// Each step of the last command is checked against the world (the fork,
    /// the clone, the cluster) and shown beside what the state file
    /// recorded; where the two differ, status says so.
    Status {
        /// Only what the state file recorded: no network, no cluster
        #[arg(long)]
        recorded: bool,
    },
    /// Enable add-ons: render, uncomment in gitops/add-ons, commit, push, wait for the HelmRelease
    EnableAddon {
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
        /// Do not wait for Flux after pushing
        #[arg(long)]
        no_wait: bool,
        /// Check every step and show what would change (diffs, commits,
        /// objects), changing nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Disable add-ons: comment out in gitops/add-ons, commit, push, wait until uninstalled
    DisableAddon {
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
        /// Do not wait for Flux after pushing
        #[arg(long)]
        no_wait: bool,
        /// Check every step and show what would change (diffs, commits,
        /// objects), changing nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Push your commits, have Flux apply them now, and show what changed
    ///
    /// The lesson's loop in one command: after you commit in the clone, `sync`
    /// pushes (fast-forward only; uncommitted changes stay), asks Flux to
    /// reconcile, waits until the cluster runs the branch's tip, and lists per
    /// Kustomization the objects created, updated and pruned. Its plan is
    /// `clone, publish, reconcile`: `--dry-run` shows it, and `resume`
    /// finishes a sync that was interrupted.
    Sync {
        /// Only wait for what is already pushed (after your own `git push`)
        #[arg(long)]
        no_push: bool,
        /// Show the commits the push would take and what the wait waits for, changing nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// List add-ons and whether each is enabled in the clone
    Addons,
    /// Check the repo (and the cluster) for removed APIs and readiness before an upgrade
    #[command(group(clap::ArgGroup::new("fixes").args(["fix", "fix_helm_releases"]).multiple(true)))]
    Verify {
        /// Kubernetes version to upgrade to, e.g. 1.26 [default: the cluster's + 1 minor]
        #[arg(long, value_name = "VERSION")]
        target_version: Option<String>,
        /// Rewrite deprecated APIs where the change is mechanical, then commit and push
        #[arg(long)]
        fix: bool,
        /// Deprecated (not yet removed) APIs count as problems too
        #[arg(long)]
        strict: bool,
        /// With --fix: show the conversion commit and what follows. With
        /// --fix-helm-releases alone: show each rewrite of a stored release
        /// and the file its original would be saved to. Either way nothing changes
        #[arg(long, requires = "fixes")]
        dry_run: bool,
        /// Also rewrite removed APIs inside the cluster's Helm releases (their
        /// stored manifests, as `helm mapkubeapis` does). This edits cluster
        /// state outside git; the originals are saved next to the state file
        #[arg(long)]
        fix_helm_releases: bool,
        /// Also write the report as a self-contained HTML page
        #[arg(long, value_name = "FILE.html")]
        report: Option<std::path::PathBuf>,
    },
    /// Upgrade the cluster one minor version at a time, through Git first
    ///
    /// One hop per minor version up to --to, each complete before the next:
    /// what blocks the version and the plan cannot fix stops it before any
    /// change; removed APIs are converted in Git, pushed and applied by Flux;
    /// the control plane is moved by the driver; nodes older than it are
    /// drained within their PodDisruptionBudgets for Karpenter to replace;
    /// Flux is asked again and judged on the new version. Shown first and
    /// asked in a terminal; `resume` continues after any failure.
    Upgrade {
        /// The Kubernetes version to reach, e.g. 1.34
        #[arg(long, value_name = "VERSION")]
        to: String,
        /// How the control plane moves: terraform (the workshop's terraform
        /// directory, --terraform-dir), eks (`aws eks update-cluster-version`),
        /// or manual (you run it; eks-workshop waits) [default: terraform with
        /// --terraform-dir, else manual]
        #[arg(long, value_enum)]
        driver: Option<DriverName>,
        /// Show every hop's steps and what each would change, changing nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Put the fork's files back as setup (or the last add-on command) left them
    ///
    /// One new commit on top of your history restores every file as that
    /// command's end had it (changed back, brought back, deleted when added
    /// later); the commits it undoes stay in `git log` and are named in the
    /// plan and the commit. Then a normal push (never a force-push) and a wait
    /// until Flux has applied it: what later lessons added is pruned.
    /// Uncommitted edits in the clone stop it before anything changes.
    Reset {
        /// Whose end to go back to: setup, or the last enable-addon/disable-addon
        #[arg(long, value_enum, default_value = "setup")]
        to: ResetTo,
        /// Show the commit (the commits it undoes, its diff), the push and the
        /// wait, changing nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Tear the workshop down: Flux suspended, Karpenter's nodes and the
    /// load balancers gone, Flux uninstalled, the cluster destroyed
    ///
    /// In order, each step checked against the cluster first: Flux's
    /// Kustomizations and HelmReleases suspended (nothing is re-created);
    /// Karpenter's NodePools/Provisioners deleted and their nodes waited out;
    /// Services of type LoadBalancer deleted and their load balancers
    /// waited out; Flux's objects deleted while its controllers run, then
    /// its controllers, CRDs and namespace (no namespace left Terminating);
    /// with --terraform-dir, the cluster destroyed by terraform (variables
    /// through TF_VAR_*, never the command line), else the command printed.
    /// Shown first and asked in a terminal; `resume` continues after any
    /// failure.
    Teardown {
        /// Show each step and what it would remove, changing nothing
        #[arg(long)]
        dry_run: bool,
        /// Also delete your fork on GitHub (checked first: the token must
        /// be allowed to; in a terminal you type its name)
        #[arg(long)]
        delete_fork: bool,
        /// Then remove the clone and the state dir (DIR/.eks-workshop)
        #[arg(long)]
        local: bool,
    },
    /// Check the tools: git, kubectl, flux, aws, terraform
    Doctor {
        /// Also write a support bundle (.tar.gz) for the facilitator: the state
        /// file, the last logs, the tools found, the clone's status and last
        /// commits, Flux's conditions. No token is in it
        #[arg(long, value_name = "FILE")]
        bundle: Option<std::path::PathBuf>,
    },
    /// Git's credential helper for the clone (setup configures it; git runs it)
    #[command(name = "git-credential", hide = true)]
    GitCredential {
        /// get, store or erase (only get answers)
        operation: String,
        /// The fork's host, as git names it (host[:port])
        #[arg(long)]
        host: String,
        /// The login to answer with
        #[arg(long)]
        username: String,
    },
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The command line: `Ok(None)` when clap printed `--help` or `--version`
/// (exit 0); a refused command line is an error that names the flag, so it
/// gets a `help:` line like every other error.
pub(crate) fn parse() -> crate::error::Result<Option<Arguments>> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match Arguments::try_parse() {
        Ok(args) => Ok(Some(args)),
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            Ok(None)
        }
        Err(e) => {
            // The flag whose value was refused (not an unknown one).
            let flag = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(arg)) if e.kind() != ErrorKind::UnknownArgument => {
                    arg.split_whitespace().next().map(String::from)
                }
                _ => None,
            };
            // clap's own "error: " and "For more information" tip: ours follow.
            let text = e.render().to_string();
            let message = text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with("For more information"))
                .collect::<Vec<_>>()
                .join("\n");
            let message = message
                .strip_prefix("error: ")
                .unwrap_or(&message)
                .to_string();
            Err(crate::error::Error::CommandLine { message, flag })
        }
    }
}

/// `reset --to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ResetTo {
    Setup,
    Addons,
}

/// `upgrade --driver`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DriverName {
    Terraform,
    Eks,
    Manual,
}

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_eks_workshop_global_optspecs
    string join \n dir= y/yes v/verbose o/output= offline upstream= branch= github-user= github-api-url= region= values= no-migrate terraform-dir= terraform-state= kubeconfig= context= timeout= flux-manifests= flux-manifest-url= flux-manifest-sha256= force h/help V/version
end

function __fish_eks_workshop_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_eks_workshop_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_eks_workshop_using_subcommand
    set -l cmd (__fish_eks_workshop_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -s V -l version -d 'Print version'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "setup" -d 'The whole path: prerequisites, fork, clone, render, addons, migrate, push, flux, reconcile'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "resume" -d 'Continue the last command where it stopped'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "status" -d 'Show where each step stands, and whether the cluster runs the fork\'s tip'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "enable-addon" -d 'Enable add-ons: render, uncomment in gitops/add-ons, commit, push, wait for the HelmRelease'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "disable-addon" -d 'Disable add-ons: comment out in gitops/add-ons, commit, push, wait until uninstalled'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "sync" -d 'Push your commits, have Flux apply them now, and show what changed'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "addons" -d 'List add-ons and whether each is enabled in the clone'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "verify" -d 'Check the repo (and the cluster) for removed APIs and readiness before an upgrade'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "upgrade" -d 'Upgrade the cluster one minor version at a time, through Git first'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "reset" -d 'Put the fork\'s files back as setup (or the last add-on command) left them'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "teardown" -d 'Tear the workshop down: Flux suspended, Karpenter\'s nodes and the load balancers gone, Flux uninstalled, the cluster destroyed'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "doctor" -d 'Check the tools: git, kubectl, flux, aws, terraform'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "git-credential" -d 'Git\'s credential helper for the clone (setup configures it; git runs it)'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c eks-workshop -n "__fish_eks_workshop_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l until -d 'Stop after this step' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l addons -d 'Add-ons to enable, e.g. karpenter,argo-workflows' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l restart -d 'Forget the recorded progress and re-check every step from the start'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l dry-run -d 'Check every step and show what would change (diffs, commits, objects), changing nothing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand setup" -s h -l help -d 'Print help'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l dry-run -d 'Check every step and show what would change (diffs, commits, objects), changing nothing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand resume" -s h -l help -d 'Print help'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l recorded -d 'Only what the state file recorded: no network, no cluster'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l no-wait -d 'Do not wait for Flux after pushing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l dry-run -d 'Check every step and show what would change (diffs, commits, objects), changing nothing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand enable-addon" -s h -l help -d 'Print help'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l no-wait -d 'Do not wait for Flux after pushing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l dry-run -d 'Check every step and show what would change (diffs, commits, objects), changing nothing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand disable-addon" -s h -l help -d 'Print help'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l no-push -d 'Only wait for what is already pushed (after your own `git push`)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l dry-run -d 'Show the commits the push would take and what the wait waits for, changing nothing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand addons" -s h -l help -d 'Print help'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l target-version -d 'Kubernetes version to upgrade to, e.g. 1.26 [default: the cluster\'s + 1 minor]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l report -d 'Also write the report as a self-contained HTML page' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l fix -d 'Rewrite deprecated APIs where the change is mechanical, then commit and push'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l strict -d 'Deprecated (not yet removed) APIs count as problems too'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l dry-run -d 'With --fix: show the conversion commit and what follows. With --fix-helm-releases alone: show each rewrite of a stored release and the file its original would be saved to. Either way nothing changes'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l fix-helm-releases -d 'Also rewrite removed APIs inside the cluster\'s Helm releases (their stored manifests, as `helm mapkubeapis` does). This edits cluster state outside git; the originals are saved next to the state file'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand verify" -s h -l help -d 'Print help'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l to -d 'The Kubernetes version to reach, e.g. 1.34' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l driver -d 'How the control plane moves: terraform (the workshop\'s terraform directory, --terraform-dir), eks (`aws eks update-cluster-version`), or manual (you run it; eks-workshop waits) [default: terraform with --terraform-dir, else manual]' -r -f -a "terraform\t''
eks\t''
manual\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l dry-run -d 'Show every hop\'s steps and what each would change, changing nothing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l to -d 'Whose end to go back to: setup, or the last enable-addon/disable-addon' -r -f -a "setup\t''
addons\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l dry-run -d 'Show the commit (the commits it undoes, its diff), the push and the wait, changing nothing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l dry-run -d 'Show each step and what it would remove, changing nothing'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l delete-fork -d 'Also delete your fork on GitHub (checked first: the token must be allowed to; in a terminal you type its name)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l local -d 'Then remove the clone and the state dir (DIR/.eks-workshop)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand teardown" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l bundle -d 'Also write a support bundle (.tar.gz) for the facilitator: the state file, the last logs, the tools found, the clone\'s status and last commits, Flux\'s conditions. No token is in it' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l host -d 'The fork\'s host, as git names it (host[:port])' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l username -d 'The login to answer with' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand git-credential" -s h -l help -d 'Print help'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l dir -d 'Working directory: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l upstream -d 'Repository to fork [default: aws-samples/eks-cluster-upgrades-workshop]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l branch -d 'Branch to work on [default: main]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l github-user -d 'GitHub login (checked against the token\'s)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l github-api-url -d 'GitHub API URL; for GitHub Enterprise use https://HOST/api/v3 [default: https://api.github.com]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l region -d 'AWS region of the workshop cluster' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l values -d 'Template values: a flat YAML/JSON map, or the JSON of `terraform output -json`' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l terraform-dir -d 'Read template values by running `terraform output -json` in DIR' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l terraform-state -d 'Read template values from a terraform state file\'s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l kubeconfig -d 'Kubeconfig file [default: $KUBECONFIG or ~/.kube/config]' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l context -d 'Kubeconfig context [default: the current context]' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l timeout -d 'How long to wait for Flux, e.g. 90s, 10m' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l flux-manifests -d 'Flux components manifest to apply when Flux is missing and no `flux` CLI is found' -r -F
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l flux-manifest-url -d 'Fetch Flux\'s install manifest from URL (a mirror of the release\'s install.yaml) when Flux is missing; needs --flux-manifest-sha256' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l flux-manifest-sha256 -d 'The sha256 the fetched install manifest must have (`sha256sum install.yaml`)' -r
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -s y -l yes -d 'Never prompt: a missing value is an error (for CI)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -s v -l verbose -d 'Print what the run\'s log records (steps, HTTP requests, child processes) on stderr'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l offline -d 'Work without GitHub or a cluster: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l no-migrate -d 'Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the `migrate` step)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -l force -d 'Replace a conflicting existing Flux Kustomization `flux-system`'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand completions" -s h -l help -d 'Print help'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "setup" -d 'The whole path: prerequisites, fork, clone, render, addons, migrate, push, flux, reconcile'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "resume" -d 'Continue the last command where it stopped'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "status" -d 'Show where each step stands, and whether the cluster runs the fork\'s tip'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "enable-addon" -d 'Enable add-ons: render, uncomment in gitops/add-ons, commit, push, wait for the HelmRelease'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "disable-addon" -d 'Disable add-ons: comment out in gitops/add-ons, commit, push, wait until uninstalled'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "sync" -d 'Push your commits, have Flux apply them now, and show what changed'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "addons" -d 'List add-ons and whether each is enabled in the clone'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "verify" -d 'Check the repo (and the cluster) for removed APIs and readiness before an upgrade'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "upgrade" -d 'Upgrade the cluster one minor version at a time, through Git first'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "reset" -d 'Put the fork\'s files back as setup (or the last add-on command) left them'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "teardown" -d 'Tear the workshop down: Flux suspended, Karpenter\'s nodes and the load balancers gone, Flux uninstalled, the cluster destroyed'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "doctor" -d 'Check the tools: git, kubectl, flux, aws, terraform'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "git-credential" -d 'Git\'s credential helper for the clone (setup configures it; git runs it)'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "completions" -d 'Print shell completions'
complete -c eks-workshop -n "__fish_eks_workshop_using_subcommand help; and not __fish_seen_subcommand_from setup resume status enable-addon disable-addon sync addons verify upgrade reset teardown doctor git-credential completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

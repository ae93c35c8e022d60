#compdef eks-workshop

autoload -U is-at-least

_eks-workshop() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_eks-workshop_commands" \
"*::: :->eks-workshop" \
&& ret=0
    case $state in
    (eks-workshop)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:eks-workshop-command-$line[1]:"
        case $line[1] in
            (setup)
_arguments "${_arguments_options[@]}" : \
'--until=[Stop after this step]:STEP:_default' \
'*--addons=[Add-ons to enable, e.g. karpenter,argo-workflows]:NAME,...:_default' \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--restart[Forget the recorded progress and re-check every step from the start]' \
'--dry-run[Check every step and show what would change (diffs, commits, objects), changing nothing]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(resume)
_arguments "${_arguments_options[@]}" : \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--dry-run[Check every step and show what would change (diffs, commits, objects), changing nothing]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--recorded[Only what the state file recorded\: no network, no cluster]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(enable-addon)
_arguments "${_arguments_options[@]}" : \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--no-wait[Do not wait for Flux after pushing]' \
'--dry-run[Check every step and show what would change (diffs, commits, objects), changing nothing]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help]' \
'--help[Print help]' \
'*::names:_default' \
&& ret=0
;;
(disable-addon)
_arguments "${_arguments_options[@]}" : \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--no-wait[Do not wait for Flux after pushing]' \
'--dry-run[Check every step and show what would change (diffs, commits, objects), changing nothing]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help]' \
'--help[Print help]' \
'*::names:_default' \
&& ret=0
;;
(sync)
_arguments "${_arguments_options[@]}" : \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--no-push[Only wait for what is already pushed (after your own \`git push\`)]' \
'--dry-run[Show the commits the push would take and what the wait waits for, changing nothing]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(addons)
_arguments "${_arguments_options[@]}" : \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
'--target-version=[Kubernetes version to upgrade to, e.g. 1.26 \[default\: the cluster'\''s + 1 minor\]]:VERSION:_default' \
'--report=[Also write the report as a self-contained HTML page]:FILE.html:_files' \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--fix[Rewrite deprecated APIs where the change is mechanical, then commit and push]' \
'--strict[Deprecated (not yet removed) APIs count as problems too]' \
'--dry-run[With --fix\: show the conversion commit and what follows. With --fix-helm-releases alone\: show each rewrite of a stored release and the file its original would be saved to. Either way nothing changes]' \
'--fix-helm-releases[Also rewrite removed APIs inside the cluster'\''s Helm releases (their stored manifests, as \`helm mapkubeapis\` does). This edits cluster state outside git; the originals are saved next to the state file]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
'--to=[The Kubernetes version to reach, e.g. 1.34]:VERSION:_default' \
'--driver=[How the control plane moves\: terraform (the workshop'\''s terraform directory, --terraform-dir), eks (\`aws eks update-cluster-version\`), or manual (you run it; eks-workshop waits) \[default\: terraform with --terraform-dir, else manual\]]:DRIVER:(terraform eks manual)' \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--dry-run[Show every hop'\''s steps and what each would change, changing nothing]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(reset)
_arguments "${_arguments_options[@]}" : \
'--to=[Whose end to go back to\: setup, or the last enable-addon/disable-addon]:TO:(setup addons)' \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--dry-run[Show the commit (the commits it undoes, its diff), the push and the wait, changing nothing]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(teardown)
_arguments "${_arguments_options[@]}" : \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'--dry-run[Show each step and what it would remove, changing nothing]' \
'--delete-fork[Also delete your fork on GitHub (checked first\: the token must be allowed to; in a terminal you type its name)]' \
'--local[Then remove the clone and the state dir (DIR/.eks-workshop)]' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
'--bundle=[Also write a support bundle (.tar.gz) for the facilitator\: the state file, the last logs, the tools found, the clone'\''s status and last commits, Flux'\''s conditions. No token is in it]:FILE:_files' \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(git-credential)
_arguments "${_arguments_options[@]}" : \
'--host=[The fork'\''s host, as git names it (host\[\:port\])]:HOST:_default' \
'--username=[The login to answer with]:USERNAME:_default' \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help]' \
'--help[Print help]' \
':operation -- get, store or erase (only get answers):_default' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--dir=[Working directory\: the clone goes to DIR/<repo name>, state to DIR/.eks-workshop]:DIR:_files' \
'-o+[Output format]:OUTPUT:(text json)' \
'--output=[Output format]:OUTPUT:(text json)' \
'--upstream=[Repository to fork \[default\: aws-samples/eks-cluster-upgrades-workshop\]]:OWNER/REPO:_default' \
'--branch=[Branch to work on \[default\: main\]]:BRANCH:_default' \
'--github-user=[GitHub login (checked against the token'\''s)]:LOGIN:_default' \
'--github-api-url=[GitHub API URL; for GitHub Enterprise use https\://HOST/api/v3 \[default\: https\://api.github.com\]]:URL:_default' \
'--region=[AWS region of the workshop cluster]:REGION:_default' \
'--values=[Template values\: a flat YAML/JSON map, or the JSON of \`terraform output -json\`]:FILE:_files' \
'--terraform-dir=[Read template values by running \`terraform output -json\` in DIR]:DIR:_files' \
'--terraform-state=[Read template values from a terraform state file'\''s outputs (no terraform needed). Without any values given, ~/environment/terraform.tfstate and <clone>/terraform/clusters/terraform.tfstate are looked for]:FILE:_files' \
'--kubeconfig=[Kubeconfig file \[default\: \$KUBECONFIG or ~/.kube/config\]]:FILE:_files' \
'--context=[Kubeconfig context \[default\: the current context\]]:CONTEXT:_default' \
'--timeout=[How long to wait for Flux, e.g. 90s, 10m]:TIMEOUT:_default' \
'--flux-manifests=[Flux components manifest to apply when Flux is missing and no \`flux\` CLI is found]:FILE:_files' \
'--flux-manifest-url=[Fetch Flux'\''s install manifest from URL (a mirror of the release'\''s install.yaml) when Flux is missing; needs --flux-manifest-sha256]:URL:_default' \
'--flux-manifest-sha256=[The sha256 the fetched install manifest must have (\`sha256sum install.yaml\`)]:HEX:_default' \
'-y[Never prompt\: a missing value is an error (for CI)]' \
'--yes[Never prompt\: a missing value is an error (for CI)]' \
'-v[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--verbose[Print what the run'\''s log records (steps, HTTP requests, child processes) on stderr]' \
'--offline[Work without GitHub or a cluster\: the fork is a local bare repository seeded from the embedded workshop repo; cluster steps are skipped. Remembered]' \
'--no-migrate[Stop when the preflight finds Flux APIs the cluster does not serve, instead of migrating them (the \`migrate\` step)]' \
'--force[Replace a conflicting existing Flux Kustomization \`flux-system\`]' \
'-h[Print help]' \
'--help[Print help]' \
':shell:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_eks-workshop__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:eks-workshop-help-command-$line[1]:"
        case $line[1] in
            (setup)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(resume)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(enable-addon)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(disable-addon)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(sync)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(addons)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(reset)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(teardown)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(git-credential)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_eks-workshop_commands] )) ||
_eks-workshop_commands() {
    local commands; commands=(
'setup:The whole path\: prerequisites, fork, clone, render, addons, migrate, push, flux, reconcile' \
'resume:Continue the last command where it stopped' \
'status:Show where each step stands, and whether the cluster runs the fork'\''s tip' \
'enable-addon:Enable add-ons\: render, uncomment in gitops/add-ons, commit, push, wait for the HelmRelease' \
'disable-addon:Disable add-ons\: comment out in gitops/add-ons, commit, push, wait until uninstalled' \
'sync:Push your commits, have Flux apply them now, and show what changed' \
'addons:List add-ons and whether each is enabled in the clone' \
'verify:Check the repo (and the cluster) for removed APIs and readiness before an upgrade' \
'upgrade:Upgrade the cluster one minor version at a time, through Git first' \
'reset:Put the fork'\''s files back as setup (or the last add-on command) left them' \
'teardown:Tear the workshop down\: Flux suspended, Karpenter'\''s nodes and the load balancers gone, Flux uninstalled, the cluster destroyed' \
'doctor:Check the tools\: git, kubectl, flux, aws, terraform' \
'git-credential:Git'\''s credential helper for the clone (setup configures it; git runs it)' \
'completions:Print shell completions' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'eks-workshop commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__addons_commands] )) ||
_eks-workshop__subcmd__addons_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop addons commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__completions_commands] )) ||
_eks-workshop__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop completions commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__disable-addon_commands] )) ||
_eks-workshop__subcmd__disable-addon_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop disable-addon commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__doctor_commands] )) ||
_eks-workshop__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop doctor commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__enable-addon_commands] )) ||
_eks-workshop__subcmd__enable-addon_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop enable-addon commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__git-credential_commands] )) ||
_eks-workshop__subcmd__git-credential_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop git-credential commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help_commands] )) ||
_eks-workshop__subcmd__help_commands() {
    local commands; commands=(
'setup:The whole path\: prerequisites, fork, clone, render, addons, migrate, push, flux, reconcile' \
'resume:Continue the last command where it stopped' \
'status:Show where each step stands, and whether the cluster runs the fork'\''s tip' \
'enable-addon:Enable add-ons\: render, uncomment in gitops/add-ons, commit, push, wait for the HelmRelease' \
'disable-addon:Disable add-ons\: comment out in gitops/add-ons, commit, push, wait until uninstalled' \
'sync:Push your commits, have Flux apply them now, and show what changed' \
'addons:List add-ons and whether each is enabled in the clone' \
'verify:Check the repo (and the cluster) for removed APIs and readiness before an upgrade' \
'upgrade:Upgrade the cluster one minor version at a time, through Git first' \
'reset:Put the fork'\''s files back as setup (or the last add-on command) left them' \
'teardown:Tear the workshop down\: Flux suspended, Karpenter'\''s nodes and the load balancers gone, Flux uninstalled, the cluster destroyed' \
'doctor:Check the tools\: git, kubectl, flux, aws, terraform' \
'git-credential:Git'\''s credential helper for the clone (setup configures it; git runs it)' \
'completions:Print shell completions' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'eks-workshop help commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__addons_commands] )) ||
_eks-workshop__subcmd__help__subcmd__addons_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help addons commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__completions_commands] )) ||
_eks-workshop__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help completions commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__disable-addon_commands] )) ||
_eks-workshop__subcmd__help__subcmd__disable-addon_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help disable-addon commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__doctor_commands] )) ||
_eks-workshop__subcmd__help__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help doctor commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__enable-addon_commands] )) ||
_eks-workshop__subcmd__help__subcmd__enable-addon_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help enable-addon commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__git-credential_commands] )) ||
_eks-workshop__subcmd__help__subcmd__git-credential_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help git-credential commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__help_commands] )) ||
_eks-workshop__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help help commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__reset_commands] )) ||
_eks-workshop__subcmd__help__subcmd__reset_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help reset commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__resume_commands] )) ||
_eks-workshop__subcmd__help__subcmd__resume_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help resume commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__setup_commands] )) ||
_eks-workshop__subcmd__help__subcmd__setup_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help setup commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__status_commands] )) ||
_eks-workshop__subcmd__help__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help status commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__sync_commands] )) ||
_eks-workshop__subcmd__help__subcmd__sync_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help sync commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__teardown_commands] )) ||
_eks-workshop__subcmd__help__subcmd__teardown_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help teardown commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__upgrade_commands] )) ||
_eks-workshop__subcmd__help__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help upgrade commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__help__subcmd__verify_commands] )) ||
_eks-workshop__subcmd__help__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop help verify commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__reset_commands] )) ||
_eks-workshop__subcmd__reset_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop reset commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__resume_commands] )) ||
_eks-workshop__subcmd__resume_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop resume commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__setup_commands] )) ||
_eks-workshop__subcmd__setup_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop setup commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__status_commands] )) ||
_eks-workshop__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop status commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__sync_commands] )) ||
_eks-workshop__subcmd__sync_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop sync commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__teardown_commands] )) ||
_eks-workshop__subcmd__teardown_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop teardown commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__upgrade_commands] )) ||
_eks-workshop__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop upgrade commands' commands "$@"
}
(( $+functions[_eks-workshop__subcmd__verify_commands] )) ||
_eks-workshop__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'eks-workshop verify commands' commands "$@"
}

if [ "$funcstack[1]" = "_eks-workshop" ]; then
    _eks-workshop "$@"
else
    compdef _eks-workshop eks-workshop
fi

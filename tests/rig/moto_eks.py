"""moto's server, plus the EKS calls moto lacks: managed add-ons and updates.

moto 5.2.1 serves EC2, IAM, STS and EKS clusters and node groups
(DescribeCluster, ListNodegroups, DescribeNodegroup, ...), but none of EKS's
add-on operations and none of its version updates. This wraps moto's WSGI
app and answers these itself, in EKS's REST protocol, from memory:

  CreateAddon             POST /clusters/{name}/addons
  ListAddons              GET  /clusters/{name}/addons
  DescribeAddon           GET  /clusters/{name}/addons/{addonName}
  DescribeAddonVersions   GET  /addons/supported-versions
  UpdateAddon             POST /clusters/{name}/addons/{addonName}/update
  UpdateClusterVersion    POST /clusters/{name}/updates
  UpdateNodegroupVersion  POST /clusters/{name}/node-groups/{ng}/update-version
  ListUpdates             GET  /clusters/{name}/updates[?nodegroupName=|?addonName=]
  DescribeUpdate          GET  /clusters/{name}/updates/{id}[?nodegroupName=|?addonName=]
  ListInsights            POST /clusters/{name}/insights
  DescribeInsight         GET  /clusters/{name}/insights/{id}

Every other request goes to moto. The versions EKS would offer come from the
JSON file named by MOTO_EKS_ADDON_VERSIONS:

  {"vpc-cni": [{"version": "v1.18.3-eksbuild.2", "clusters": ["1.29", "1.30"],
                "default_for": ["1.30"]}, ...], ...}

An update starts InProgress (the cluster, node group or add-on UPDATING)
and stays so for `polls` DescribeUpdate calls of it; the next one finds it
finished: Successful (the version moved, the thing ACTIVE again) unless the
JSON file named by MOTO_EKS_UPDATES, read when the update starts, gives it
another outcome:

  {"polls": 2,
   "outcomes": {
     "cluster":           {"status": "Failed", "errors": [
                             {"errorCode": "AccessDenied", "errorMessage": "...",
                              "resourceIds": ["..."]}]},
     "nodegroup:{ng}":    {"status": "Cancelled"},
     "addon:{addonName}": {"status": "Failed", "errors": [...]}}}

`polls` defaults to 1; a Failed or Cancelled update changes no version. As
EKS does, a second update of a thing with one in progress is refused
(ResourceInUseException), so is a cluster update that is not to the next
minor, and a node group newer than its cluster.

The insights come from the JSON file named by MOTO_EKS_INSIGHTS, by cluster
name, each as DescribeInsight returns it; ListInsights answers their
summaries, filtered as EKS filters them (categories, kubernetesVersions,
statuses):

  {"c": [{"id": "...", "name": "Deprecated APIs removed in Kubernetes v1.32",
          "category": "UPGRADE_READINESS", "kubernetesVersion": "1.32",
          "insightStatus": {"status": "ERROR", "reason": "..."},
          "recommendation": "...", "resources": [...],
          "categorySpecificSummary": {"deprecationDetails": [...]}}]}

When MOTO_EKS_LOG names a file, each request served here appends one JSON
line to it: {"op": "UpdateClusterVersion", "cluster": "c", ...}, so a test
can count the calls a run made.

Run with the rig venv's python (tests/rig/aws.sh installs moto there):

  python tests/rig/moto_eks.py     # prints the port it listens on, then serves

It binds 127.0.0.1 on a port the system picks and prints that port on the
first line of stdout, so a test can start it without guessing a free port.
"""

import json
import os
import re
import sys
import threading
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qs, unquote

from moto.core import DEFAULT_ACCOUNT_ID
from moto.eks.models import eks_backends
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    create_backend_app,
)
from werkzeug.serving import make_server

ADDON = re.compile(r"^/clusters/([^/]+)/addons(?:/([^/]+))?/?$")
ADDON_UPDATE = re.compile(r"^/clusters/([^/]+)/addons/([^/]+)/update/?$")
NODEGROUP_UPDATE = re.compile(r"^/clusters/([^/]+)/node-groups/([^/]+)/update-version/?$")
UPDATES = re.compile(r"^/clusters/([^/]+)/updates(?:/([^/]+))?/?$")
INSIGHTS = re.compile(r"^/clusters/([^/]+)/insights(?:/([^/]+))?/?$")
SUMMARY = ("id", "name", "category", "kubernetesVersion", "lastRefreshTime",
           "lastTransitionTime", "description", "insightStatus")
SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/eks/aws4_request")


class Refused(Exception):
    """An EKS error reply: HTTP status, error code, message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Eks:
    """The add-on and update routes in front of moto's app."""

    def __init__(self, app, catalog, control, log, insights=None):
        self.app = app
        self.catalog = catalog
        self.insights = insights or {}  # cluster name -> [insight]
        self.control = control  # the MOTO_EKS_UPDATES file, or None
        self.log = log  # the MOTO_EKS_LOG file, or None
        self.installed = {}  # (region, cluster) -> {addon name: addon}
        # (region, cluster) -> [update record], oldest first; a record is
        # {"update": the reply's update, "target": ("cluster", None) |
        # ("nodegroup", name) | ("addon", name), "polls": left,
        # "outcome": {"status", "errors"}, "apply": what success does}
        self.updates = {}
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        scope = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if not scope:
            return self.app(environ, start_response)
        region = scope.group(1)
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        arg = lambda key: query.get(key, [None])[0]  # noqa: E731
        part = lambda m, i: m.group(i) and unquote(m.group(i))  # noqa: E731
        try:
            with self.lock:
                if route := ADDON.match(path):
                    return reply(start_response, self.addon(
                        environ, region, method, part(route, 1), part(route, 2)))
                if path.rstrip("/") == "/addons/supported-versions" and method == "GET":
                    self.logged("DescribeAddonVersions", addon=arg("addonName"),
                                kubernetes=arg("kubernetesVersion"))
                    return reply(start_response, self.versions(
                        arg("kubernetesVersion"), arg("addonName")))
                if (route := ADDON_UPDATE.match(path)) and method == "POST":
                    return reply(start_response, self.update_addon(
                        region, part(route, 1), part(route, 2), body(environ)))
                if (route := NODEGROUP_UPDATE.match(path)) and method == "POST":
                    return reply(start_response, self.update_nodegroup(
                        region, part(route, 1), part(route, 2), body(environ)))
                if route := INSIGHTS.match(path):
                    cluster, insight = part(route, 1), part(route, 2)
                    self.cluster(region, cluster)
                    if method == "POST" and insight is None:
                        return reply(start_response, self.list_insights(cluster, body(environ)))
                    if method == "GET" and insight is not None:
                        return reply(start_response, self.describe_insight(cluster, insight))
                if route := UPDATES.match(path):
                    cluster, update = part(route, 1), part(route, 2)
                    target = (("nodegroup", arg("nodegroupName")) if arg("nodegroupName")
                              else ("addon", arg("addonName")) if arg("addonName")
                              else ("cluster", None))
                    if method == "POST" and update is None:
                        return reply(start_response, self.update_cluster(
                            region, cluster, body(environ)))
                    if method == "GET" and update is None:
                        return reply(start_response, self.list_updates(region, cluster, target))
                    if method == "GET":
                        return reply(start_response, self.describe_update(
                            region, cluster, update, target))
        except Refused as e:
            return error(start_response, e.status, e.code, e.message)
        return self.app(environ, start_response)

    # ---- add-ons ----

    def addon(self, environ, region, method, cluster, name):
        found = self.cluster(region, cluster)
        addons = self.installed.setdefault((region, cluster), {})
        if method == "POST" and name is None:
            request = body(environ)
            name = request.get("addonName", "")
            self.logged("CreateAddon", cluster=cluster, addon=name)
            if name in addons:
                raise Refused(409, "ResourceInUseException", f"Addon already exists: {name}")
            version = request.get("addonVersion") or self.default(name, found.version)
            if version is None:
                raise Refused(400, "InvalidParameterException",
                              f"Addon {name} has no version for {found.version}")
            now = datetime.now(timezone.utc).isoformat()
            addons[name] = {
                "addonName": name,
                "clusterName": cluster,
                "status": "ACTIVE",
                "addonVersion": version,
                "health": {"issues": []},
                "addonArn": f"arn:aws:eks:{region}:{DEFAULT_ACCOUNT_ID}:addon/{cluster}/{name}/moto",
                "createdAt": now,
                "modifiedAt": now,
                "tags": request.get("tags", {}),
            }
            return {"addon": addons[name]}
        if method == "GET" and name is None:
            self.logged("ListAddons", cluster=cluster)
            return {"addons": sorted(addons)}
        if method == "GET":
            self.logged("DescribeAddon", cluster=cluster, addon=name)
            return {"addon": self.installed_addon(region, cluster, name)}
        raise Refused(400, "InvalidRequestException",
                      f"{method} {environ.get('PATH_INFO')} is not served here")

    def installed_addon(self, region, cluster, name):
        found = self.installed.get((region, cluster), {}).get(name)
        if found is None:
            raise Refused(404, "ResourceNotFoundException",
                          f"No addon: {name} found in cluster: {cluster}")
        return found

    def default(self, name, kubernetes):
        for entry in self.catalog.get(name, []):
            if kubernetes in entry.get("default_for", []):
                return entry["version"]
        return None

    def offered(self, name, version, kubernetes):
        """Whether the catalog offers `version` of `name` at `kubernetes`
        (an add-on the catalog does not list takes any version)."""
        entries = self.catalog.get(name)
        if entries is None:
            return True
        return any(e["version"] == version and kubernetes in e.get("clusters", [])
                   for e in entries)

    def versions(self, kubernetes, name):
        out = []
        for addon, entries in sorted(self.catalog.items()):
            if name and addon != name:
                continue
            offered = []
            for entry in entries:
                clusters = entry.get("clusters", [])
                if kubernetes:
                    clusters = [k for k in clusters if k == kubernetes]
                    if not clusters:
                        continue
                offered.append({
                    "addonVersion": entry["version"],
                    "architecture": ["amd64", "arm64"],
                    "compatibilities": [
                        {"clusterVersion": k, "platformVersions": ["*"],
                         "defaultVersion": k in entry.get("default_for", [])}
                        for k in clusters
                    ],
                    "requiresConfiguration": False,
                })
            out.append({"addonName": addon, "type": "networking", "addonVersions": offered,
                        "publisher": "eks", "owner": "aws"})
        return {"addons": out}

    # ---- updates ----

    def update_cluster(self, region, cluster, request):
        found = self.cluster(region, cluster)
        to = request.get("version", "")
        self.logged("UpdateClusterVersion", cluster=cluster, version=to)
        self.refuse_second(region, cluster, ("cluster", None))
        if minor(to) is None or minor(found.version) is None or \
                minor(to) != (minor(found.version)[0], minor(found.version)[1] + 1):
            raise Refused(400, "InvalidParameterException",
                          f"Unsupported Kubernetes minor version update from {found.version} to {to}")
        found.status = "UPDATING"

        def apply(outcome):
            found.status = "ACTIVE"
            if outcome == "Successful":
                found.version = to

        return self.start(region, cluster, ("cluster", None), "VersionUpdate",
                          [{"type": "Version", "value": to},
                           {"type": "PlatformVersion", "value": "eks.1"}], apply)

    def update_nodegroup(self, region, cluster, name, request):
        found = self.cluster(region, cluster)
        group = found.nodegroups.get(name)
        to = request.get("version") or found.version
        self.logged("UpdateNodegroupVersion", cluster=cluster, nodegroup=name, version=to)
        if group is None:
            raise Refused(404, "ResourceNotFoundException", f"No node group found for name: {name}.")
        self.refuse_second(region, cluster, ("nodegroup", name))
        if minor(to) is None or minor(to) > minor(found.version):
            raise Refused(400, "InvalidParameterException",
                          f"Requested Nodegroup Kubernetes Version {to} is not supported by "
                          f"cluster {cluster} at {found.version}")
        release = request.get("releaseVersion") or f"{to}.0-20250101"
        group.status = "UPDATING"

        def apply(outcome):
            group.status = "ACTIVE"
            if outcome == "Successful":
                group.version, group.release_version = to, release

        return self.start(region, cluster, ("nodegroup", name), "VersionUpdate",
                          [{"type": "Version", "value": to},
                           {"type": "ReleaseVersion", "value": release}], apply)

    def update_addon(self, region, cluster, name, request):
        found = self.cluster(region, cluster)
        version = request.get("addonVersion")
        self.logged("UpdateAddon", cluster=cluster, addon=name, version=version,
                    resolveConflicts=request.get("resolveConflicts"))
        addon = self.installed_addon(region, cluster, name)
        self.refuse_second(region, cluster, ("addon", name))
        version = version or addon["addonVersion"]
        if not self.offered(name, version, found.version):
            raise Refused(400, "InvalidParameterException",
                          f"Addon version {version} is not supported for {name} at {found.version}")
        addon["status"] = "UPDATING"

        def apply(outcome):
            addon["status"] = "ACTIVE"
            addon["modifiedAt"] = datetime.now(timezone.utc).isoformat()
            if outcome == "Successful":
                addon["addonVersion"] = version

        params = [{"type": "AddonVersion", "value": version}]
        if request.get("resolveConflicts"):
            params.append({"type": "ResolveConflicts", "value": request["resolveConflicts"]})
        return self.start(region, cluster, ("addon", name), "AddonUpdate", params, apply)

    def list_updates(self, region, cluster, target):
        self.cluster(region, cluster)
        self.logged("ListUpdates", cluster=cluster, target=list(target))
        records = self.updates.get((region, cluster), [])
        return {"updateIds": [r["update"]["id"] for r in records if r["target"] == target]}

    def describe_update(self, region, cluster, update_id, target):
        self.cluster(region, cluster)
        self.logged("DescribeUpdate", cluster=cluster, update=update_id, target=list(target))
        for record in self.updates.get((region, cluster), []):
            if record["update"]["id"] == update_id and record["target"] == target:
                update = record["update"]
                if update["status"] == "InProgress":
                    if record["polls"] > 0:
                        record["polls"] -= 1
                    else:
                        update["status"] = record["outcome"]["status"]
                        update["errors"] = record["outcome"].get("errors", [])
                        record["apply"](update["status"])
                return {"update": update}
        raise Refused(404, "ResourceNotFoundException", f"No update found for ID: {update_id}")

    def start(self, region, cluster, target, kind, params, apply):
        control = self.read_control()
        key = target[0] if target[1] is None else f"{target[0]}:{target[1]}"
        outcome = control.get("outcomes", {}).get(key, {"status": "Successful"})
        update = {
            "id": str(uuid.uuid4()),
            "status": "InProgress",
            "type": kind,
            "params": params,
            "createdAt": datetime.now(timezone.utc).timestamp(),
            "errors": [],
        }
        self.updates.setdefault((region, cluster), []).append({
            "update": update,
            "target": target,
            "polls": int(control.get("polls", 1)),
            "outcome": outcome,
            "apply": apply,
        })
        return {"update": update}

    def refuse_second(self, region, cluster, target):
        for record in self.updates.get((region, cluster), []):
            if record["target"] == target and record["update"]["status"] == "InProgress":
                raise Refused(409, "ResourceInUseException",
                              f"Update already in progress: {record['update']['id']}")

    def read_control(self):
        if not self.control:
            return {}
        with open(self.control) as f:
            return json.load(f)

    # ---- shared ----

    def cluster(self, region, name):
        found = eks_backends[DEFAULT_ACCOUNT_ID][region].clusters.get(name)
        if found is None:
            raise Refused(404, "ResourceNotFoundException", f"No cluster found for name: {name}.")
        return found

    # ---- insights ----

    def list_insights(self, cluster, request):
        wanted = request.get("filter") or {}
        self.logged("ListInsights", cluster=cluster, filter=wanted)
        def keep(i):
            return all([
                i.get("category") in wanted.get("categories", [i.get("category")]),
                i.get("kubernetesVersion") in wanted.get("kubernetesVersions",
                                                         [i.get("kubernetesVersion")]),
                i["insightStatus"]["status"] in wanted.get("statuses",
                                                           [i["insightStatus"]["status"]]),
            ])
        found = [i for i in self.insights.get(cluster, []) if keep(i)]
        return {"insights": [{k: i[k] for k in SUMMARY if k in i} for i in found]}

    def describe_insight(self, cluster, insight):
        self.logged("DescribeInsight", cluster=cluster, id=insight)
        for i in self.insights.get(cluster, []):
            if i["id"] == insight:
                return {"insight": i}
        raise Refused(404, "ResourceNotFoundException", f"No insight found for id: {insight}.")

    def logged(self, op, **fields):
        if self.log:
            with open(self.log, "a") as f:
                f.write(json.dumps({"op": op, **fields}) + "\n")


def minor(version):
    """(1, 30) of "1.30"; None for anything else."""
    m = re.fullmatch(r"(\d+)\.(\d+)", version or "")
    return m and (int(m.group(1)), int(m.group(2)))


def body(environ):
    size = int(environ.get("CONTENT_LENGTH") or 0)
    return json.loads(environ["wsgi.input"].read(size) or b"{}")


def reply(start_response, body, status=200):
    data = json.dumps(body).encode()
    start_response(f"{status} {'OK' if status == 200 else 'Error'}", [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(data))),
    ])
    return [data]


def error(start_response, status, code, message):
    data = json.dumps({"message": message}).encode()
    start_response(f"{status} Error", [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(data))),
        ("x-amzn-ErrorType", code),
    ])
    return [data]


def main():
    path = os.environ.get("MOTO_EKS_ADDON_VERSIONS")
    catalog = {}
    if path:
        with open(path) as f:
            catalog = json.load(f)
    insights = {}
    if os.environ.get("MOTO_EKS_INSIGHTS"):
        with open(os.environ["MOTO_EKS_INSIGHTS"]) as f:
            insights = json.load(f)
    app = Eks(DomainDispatcherApplication(create_backend_app), catalog,
              os.environ.get("MOTO_EKS_UPDATES"), os.environ.get("MOTO_EKS_LOG"), insights)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    os.environ["MOTO_PORT"] = str(server.server_port)
    print(server.server_port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

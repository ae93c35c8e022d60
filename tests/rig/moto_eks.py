"""moto's server, plus the EKS managed add-on calls moto lacks.

moto 5.2.1 serves EC2, IAM, STS and EKS clusters and node groups, but none of
EKS's add-on operations. This wraps moto's WSGI app and answers four of them
itself, in EKS's REST protocol, from memory:

  CreateAddon            POST /clusters/{name}/addons
  ListAddons             GET  /clusters/{name}/addons
  DescribeAddon          GET  /clusters/{name}/addons/{addonName}
  DescribeAddonVersions  GET  /addons/supported-versions

Every other request goes to moto. The versions EKS would offer come from the
JSON file named by MOTO_EKS_ADDON_VERSIONS:

  {"vpc-cni": [{"version": "v1.18.3-eksbuild.2", "clusters": ["1.29", "1.30"],
                "default_for": ["1.30"]}, ...], ...}

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
SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/eks/aws4_request")


class AddOns:
    """The add-on routes in front of moto's app."""

    def __init__(self, app, catalog):
        self.app = app
        self.catalog = catalog
        self.installed = {}  # (region, cluster) -> {addon name: addon}
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        scope = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        path = environ.get("PATH_INFO", "")
        if scope:
            region = scope.group(1)
            method = environ["REQUEST_METHOD"]
            route = ADDON.match(path)
            if route:
                cluster, addon = unquote(route.group(1)), route.group(2)
                return self.addon(environ, start_response, region, method, cluster,
                                  addon and unquote(addon))
            if path.rstrip("/") == "/addons/supported-versions" and method == "GET":
                query = parse_qs(environ.get("QUERY_STRING", ""))
                return reply(start_response, 200, self.versions(
                    query.get("kubernetesVersion", [None])[0],
                    query.get("addonName", [None])[0]))
        return self.app(environ, start_response)

    def addon(self, environ, start_response, region, method, cluster, name):
        found = eks_backends[DEFAULT_ACCOUNT_ID][region].clusters.get(cluster)
        if found is None:
            return error(start_response, 404, "ResourceNotFoundException",
                         f"No cluster found for name: {cluster}.")
        with self.lock:
            addons = self.installed.setdefault((region, cluster), {})
            if method == "POST" and name is None:
                size = int(environ.get("CONTENT_LENGTH") or 0)
                body = json.loads(environ["wsgi.input"].read(size) or b"{}")
                name = body.get("addonName", "")
                if name in addons:
                    return error(start_response, 409, "ResourceInUseException",
                                 f"Addon already exists: {name}")
                version = body.get("addonVersion") or self.default(name, found.version)
                if version is None:
                    return error(start_response, 400, "InvalidParameterException",
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
                    "tags": body.get("tags", {}),
                }
                return reply(start_response, 200, {"addon": addons[name]})
            if method == "GET" and name is None:
                return reply(start_response, 200, {"addons": sorted(addons)})
            if method == "GET" and name in addons:
                return reply(start_response, 200, {"addon": addons[name]})
            if method == "GET":
                return error(start_response, 404, "ResourceNotFoundException",
                             f"No addon: {name} found in cluster: {cluster}")
        return error(start_response, 400, "InvalidRequestException",
                     f"{method} {environ.get('PATH_INFO')} is not served here")

    def default(self, name, kubernetes):
        for entry in self.catalog.get(name, []):
            if kubernetes in entry.get("default_for", []):
                return entry["version"]
        return None

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


def reply(start_response, status, body):
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
    app = AddOns(DomainDispatcherApplication(create_backend_app), catalog)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    os.environ["MOTO_PORT"] = str(server.server_port)
    print(server.server_port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

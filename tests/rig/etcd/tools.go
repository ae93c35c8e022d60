//go:build tools

// Package rig pins etcd for eks-workshop's real-cluster test rig.
package rig

import _ "go.etcd.io/etcd/server/v3"

//go:build tools

// Package rig pins kubectl for eks-workshop's real-cluster test rig.
package rig

import _ "k8s.io/kubernetes/cmd/kubectl"

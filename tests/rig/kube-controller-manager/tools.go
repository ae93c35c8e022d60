//go:build tools

// Package rig pins kube-controller-manager for eks-workshop's real-cluster
// test rig (PodDisruptionBudget status, so evictions are really refused).
package rig

import _ "k8s.io/kubernetes/cmd/kube-controller-manager"

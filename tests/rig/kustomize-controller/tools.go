//go:build tools

// Package rig pins kustomize-controller for eks-workshop's real-cluster test rig.
package rig

import _ "github.com/fluxcd/kustomize-controller"

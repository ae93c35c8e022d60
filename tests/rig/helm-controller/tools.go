//go:build tools

// Package rig pins helm-controller for eks-workshop's real-cluster test rig.
package rig

import _ "github.com/fluxcd/helm-controller"

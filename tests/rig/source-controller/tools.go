//go:build tools

// Package rig pins source-controller for eks-workshop's real-cluster test rig.
package rig

import _ "github.com/fluxcd/source-controller"

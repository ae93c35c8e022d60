//go:build tools

// Package rig pins the flux CLI for eks-workshop's real-cluster benchmark
// (the peer `sync` is measured against).
package rig

import _ "github.com/fluxcd/flux2/v2/cmd/flux"

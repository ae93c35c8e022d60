//go:build tools

// Package rig pins the pluto CLI for eks-workshop's real-cluster test rig.
package rig

import _ "github.com/fairwindsops/pluto/v5/cmd/pluto"

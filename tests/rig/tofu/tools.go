//go:build tools

// Package rig pins OpenTofu's CLI for eks-workshop's real-cluster test rig
// (terraform's local-exec drives the rig's control-plane upgrade).
package rig

import _ "github.com/opentofu/opentofu/cmd/tofu"

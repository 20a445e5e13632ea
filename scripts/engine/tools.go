//go:build tools

// Package tools pins the Pulumi CLI's main package in this module's requirements, so that
// `go mod tidy` keeps every dependency needed by `go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi`.
// See ../ensure-pulumi.sh, which builds from this module.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)

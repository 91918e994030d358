//go:build !linux && !darwin

package app

import "io"

// isTerminal reports false: the progress line is drawn on Linux and macOS
// terminals only.
func isTerminal(io.Writer) bool { return false }

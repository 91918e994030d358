package app

import "golang.org/x/sys/unix"

// ioctlReadTermios reads a terminal's attributes on macOS.
const ioctlReadTermios = unix.TIOCGETA

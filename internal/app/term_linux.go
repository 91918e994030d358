package app

import "golang.org/x/sys/unix"

// ioctlReadTermios reads a terminal's attributes on Linux.
const ioctlReadTermios = unix.TCGETS

package app

import "syscall"

// syscallNoSpace is a full disk: no later file would fit either.
var syscallNoSpace = syscall.ENOSPC

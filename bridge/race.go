//go:build race

package bridge

import (
	"runtime"
	"unsafe"
)

const raceEnabled = true

// raceWritten tells the race detector that p was written outside its view
// (by the kernel in a raw system call), as the syscall package does for
// its own reads. (The syscall package also records a happens-before edge
// through the descriptor; these raw calls do not.)
func raceWritten(p []byte) {
	if len(p) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(unsafe.SliceData(p)), len(p))
	}
}

// raceRead tells the race detector that p was read outside its view.
func raceRead(p []byte) {
	if len(p) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(unsafe.SliceData(p)), len(p))
	}
}

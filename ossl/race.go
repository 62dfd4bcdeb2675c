//go:build race

package ossl

import (
	"runtime"
	"unsafe"
)

// raceWritten tells the race detector that C wrote p during a cgo call,
// which it cannot see.
func raceWritten(p []byte) {
	if len(p) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(unsafe.SliceData(p)), len(p))
	}
}

// raceRead tells the race detector that C read p during a cgo call.
func raceRead(p []byte) {
	if len(p) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(unsafe.SliceData(p)), len(p))
	}
}

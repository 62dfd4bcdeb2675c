package ossl

import "sync/atomic"

var (
	live   atomic.Int64
	leaked atomic.Int64
)

// Live returns how many C objects owned by this package (contexts, SSLs)
// have been created and not yet freed.
func Live() int64 { return live.Load() }

// Leaked returns how many C objects were freed by the garbage collector's
// cleanup instead of an explicit Free: each one is a leak in the caller.
func Leaked() int64 { return leaked.Load() }

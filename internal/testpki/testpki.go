// Package testpki gives tests access to the fixtures in the repository's
// testdata/ folder (certificates, keys, CRLs, PKCS#12 files, DH parameters).
// The fixtures are made by testdata/gen.sh; testdata/README.md says what each
// file is for.
//
// The folder is found from this source file's location, so the functions work
// from any package's tests regardless of the working directory. They do not
// work from a binary whose sources are gone (tests only).
package testpki

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var dir = sync.OnceValue(func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testpki: runtime.Caller failed; cannot locate testdata")
	}
	d, err := filepath.Abs(filepath.Join(filepath.Dir(file), "..", "..", "testdata"))
	if err != nil {
		panic(fmt.Sprintf("testpki: %v", err))
	}
	return d
})

// Dir returns the absolute path of the repository's testdata/ folder.
func Dir() string { return dir() }

// Path returns the absolute path of the fixture name (for example
// "agent1-cert.pem"). It does not check that the file exists.
func Path(name string) string { return filepath.Join(Dir(), name) }

// Read returns the contents of the fixture name, calling tb.Fatal if it
// cannot be read.
func Read(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(name))
	if err != nil {
		tb.Fatalf("testpki: %v", err)
	}
	return b
}

// MustRead returns the contents of the fixture name and panics if it cannot
// be read. It is meant for package-level variables and TestMain.
func MustRead(name string) []byte {
	b, err := os.ReadFile(Path(name))
	if err != nil {
		panic(fmt.Sprintf("testpki: %v", err))
	}
	return b
}

// Package racechild runs one test of the current test binary again in a
// child process, for tests that make a data race on purpose and check that
// the race detector reports it (the report fails the child, not the test).
package racechild

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Env is the variable that tells the child which racy part to run.
const Env = "NODETLS_RACE_CHILD"

// Run runs t's test alone in a child process with Env=name and the default
// race options (GORACE is dropped), and returns its combined output. The
// child fails when it finds the race, so its exit status is not checked;
// a child that runs for over a minute fails t.
func Run(t *testing.T, name string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.timeout=1m")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GORACE=") && !strings.HasPrefix(kv, Env+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, Env+"="+name)
	out, _ := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the child test did not finish in time:\n%s", out)
	}
	return out
}

// IsChild reports whether this process is the child running name.
func IsChild(name string) bool { return os.Getenv(Env) == name }

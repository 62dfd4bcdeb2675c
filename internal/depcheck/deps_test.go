// Package depcheck enforces the layering of DESIGN.md §2 and STYLE.md B.2
// (ossl ← {bridge, cipherlist, ocsp} ← tls ← cmd/echo), in the manner of
// go/build's deps_test.go. The rules:
//
//   - ossl imports only the standard library, and is the only package with cgo;
//   - bridge, cipherlist and ocsp import ossl and the standard library, not
//     each other, not tls;
//   - tls imports those four and the standard library;
//   - cmd/echo imports only tls and ocsp (the public API) and the standard
//     library;
//   - no non-test code imports internal/* (the test helpers), except other
//     internal packages.
//
// Only non-test imports are checked: tests may use testify and internal/*.
// A layered package that does not exist yet is not checked. The allow-list
// below is policy: changing it needs review, never "to fix the build".
package depcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowed maps each layered package (relative to the module) to the project
// packages it may import directly. The standard library is always allowed;
// any other module never is.
var allowed = map[string][]string{
	"ossl":       {},
	"bridge":     {"ossl"},
	"cipherlist": {"ossl"},
	"ocsp":       {"ossl"},
	"tls":        {"ossl", "bridge", "cipherlist", "ocsp"},
	"cmd/echo":   {"tls", "ocsp"},
}

// cgoAllowed lists the only package that may use cgo.
const cgoAllowed = "ossl"

type pkg struct {
	ImportPath string
	Standard   bool
	DepOnly    bool
	Imports    []string
	CgoFiles   []string
	Error      *struct{ Err string }
}

// load runs go list over the whole module once. It returns the module path,
// the module's packages by path relative to the module root ("." for the
// root), and the set of standard-library packages among their dependencies.
func load(t *testing.T) (module string, pkgs map[string]*pkg, std map[string]bool) {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed for this test: %v", err)
	}
	out, err := exec.Command(gobin, "list", "-m", "-f", "{{.Path}}\t{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", stderr(err))
	}
	module, root, _ := strings.Cut(strings.TrimSpace(string(out)), "\t")
	cmd := exec.Command(gobin, "list", "-e", "-deps",
		"-json=ImportPath,Standard,DepOnly,Imports,CgoFiles,Error", "./...")
	cmd.Dir = root
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./...: %v", stderr(err))
	}
	pkgs = make(map[string]*pkg)
	std = make(map[string]bool)
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		p := new(pkg)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		switch {
		case p.Standard:
			std[p.ImportPath] = true
		case p.ImportPath == module:
			pkgs["."] = p
		case strings.HasPrefix(p.ImportPath, module+"/"):
			pkgs[strings.TrimPrefix(p.ImportPath, module+"/")] = p
		}
	}
	if len(pkgs) == 0 || len(std) == 0 {
		t.Fatalf("go list found %d module packages and %d standard ones; the test cannot work", len(pkgs), len(std))
	}
	return module, pkgs, std
}

func stderr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return errors.New(strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}

func isInternal(rel string) bool { return rel == "internal" || strings.HasPrefix(rel, "internal/") }

// TestDeps loads the package graph once and checks every rule on it.
func TestDeps(t *testing.T) {
	module, pkgs, std := load(t)
	for _, rel := range slices.Sorted(maps.Keys(allowed)) {
		if p, ok := pkgs[rel]; !ok || p.DepOnly {
			t.Logf("package %s does not exist yet: its layer rule is not checked", rel)
		}
	}
	for _, v := range violations(module, pkgs, std) {
		t.Error(v)
	}
}

// violations returns every broken rule, sorted.
func violations(module string, pkgs map[string]*pkg, std map[string]bool) []string {
	var out []string
	report := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for rel, p := range pkgs {
		if p.DepOnly {
			continue // imported but not in the module's tree: go list reports that itself
		}
		if p.Error != nil {
			report("%s: go list: %s", rel, p.Error.Err)
		}
		if len(p.CgoFiles) > 0 && rel != cgoAllowed {
			report("%s has cgo files %v; only %s may use cgo (DESIGN.md §2)", rel, p.CgoFiles, cgoAllowed)
		}
		rule, layered := allowed[rel]
		for _, imp := range p.Imports {
			dep, inModule := strings.CutPrefix(imp, module+"/")
			switch {
			case inModule && isInternal(dep) && !isInternal(rel):
				report("%s imports %s: internal/* are test helpers, for _test.go files only", rel, dep)
			case !layered:
			case imp == "C":
				if rel != cgoAllowed {
					report("%s uses cgo; only %s may", rel, cgoAllowed)
				}
			case std[imp]:
			case inModule:
				if !slices.Contains(rule, dep) {
					report("%s imports %s; it may import only %v and the standard library", rel, dep, rule)
				}
			default:
				report("%s imports %s, which is neither the standard library nor this module", rel, imp)
			}
		}
	}
	if p, ok := pkgs[cgoAllowed]; ok && len(p.CgoFiles) == 0 {
		report("%s has no cgo files: go list ran with CGO_ENABLED=0? The cgo rule then means nothing", cgoAllowed)
	}
	slices.Sort(out)
	return out
}

// TestViolations checks the rules themselves on a made-up package graph.
func TestViolations(t *testing.T) {
	const m = "example.com/m"
	std := map[string]bool{"fmt": true, "net": true}
	pkgs := map[string]*pkg{
		"ossl":            {Imports: []string{"C", "fmt"}, CgoFiles: []string{"cgo.go"}},
		"bridge":          {Imports: []string{"net", m + "/ossl", m + "/ocsp"}},              // sibling
		"ocsp":            {Imports: []string{m + "/ossl", m + "/tls"}},                      // upward
		"cipherlist":      {Imports: []string{"C", m + "/ossl"}, CgoFiles: []string{"c.go"}}, // cgo
		"tls":             {Imports: []string{m + "/bridge", "github.com/x/y"}},              // third party
		"cmd/echo":        {Imports: []string{m + "/tls", m + "/bridge"}},                    // below the public API
		"bench/foo":       {Imports: []string{m + "/internal/testpki", m + "/tls"}},          // a test helper
		"internal/peers":  {Imports: []string{m + "/internal/testpki", m + "/ossl"}},         // fine
		"internal/tpki":   {DepOnly: true, Imports: []string{"C"}, CgoFiles: []string{"x.go"}},
		"internal/broken": {Error: &struct{ Err string }{"no Go files"}},
	}
	got := violations(m, pkgs, std)
	want := []string{
		"bench/foo imports internal/testpki: internal/* are test helpers, for _test.go files only",
		"bridge imports ocsp; it may import only [ossl] and the standard library",
		"cipherlist has cgo files [c.go]; only ossl may use cgo (DESIGN.md §2)",
		"cipherlist uses cgo; only ossl may",
		"cmd/echo imports bridge; it may import only [tls ocsp] and the standard library",
		"internal/broken: go list: no Go files",
		"ocsp imports tls; it may import only [ossl] and the standard library",
		"tls imports github.com/x/y, which is neither the standard library nor this module",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	pkgs["ossl"].CgoFiles = nil // as go list shows it with CGO_ENABLED=0
	if got := violations(m, pkgs, std); !slices.Contains(got, "ossl has no cgo files: go list ran with CGO_ENABLED=0? The cgo rule then means nothing") {
		t.Errorf("an ossl without cgo files was not reported: %q", got)
	}
}

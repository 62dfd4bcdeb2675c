package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A flagKind says what values a flag takes.
type flagKind int

const (
	kindString   flagKind = iota // any text
	kindBool                     // alone, =true/=false, or a following true/false
	kindInt                      // a decimal integer
	kindUint                     // an unsigned integer; 0x and 0o prefixes allowed
	kindDuration                 // Go's syntax: 1s, 500ms
	kindList                     // comma-separated
	kindFile                     // a path whose contents are read
)

// A flagSpec describes one flag of a command.
type flagSpec struct {
	name   string // without the leading dashes
	kind   flagKind
	repeat bool   // may be given several times; values accumulate
	arg    string // the value's name in the usage text
	help   string
}

// A flagValue is one occurrence of a flag, converted.
type flagValue struct {
	spec *flagSpec
	raw  string
	str  string
	b    bool
	i    int64
	u    uint64
	d    time.Duration
	list []string
	file []byte
}

// flags holds the parsed command line: the flags in the order given and the
// operands.
type flags struct {
	specs    []*flagSpec
	given    []*flagValue // every occurrence, in command-line order
	operands []string
	help     bool
}

// A usageError is a bad command line or setting: exit status 2 with one
// line "error: --FLAG: CODE: MESSAGE" (flag and code left out when empty).
type usageError struct {
	flag    string // without the dashes
	code    string
	message string
}

func (e *usageError) Error() string {
	var b strings.Builder
	if e.flag != "" {
		b.WriteString("--" + e.flag + ": ")
	}
	if e.code != "" {
		b.WriteString(e.code + ": ")
	}
	b.WriteString(e.message)
	return b.String()
}

func flagError(flag, format string, args ...any) *usageError {
	return &usageError{flag: flag, message: fmt.Sprintf(format, args...)}
}

// parseFlags parses args (the words after the command name) GNU-style:
// "--flag value", "--flag=value" (a single dash works too), BOOL flags
// alone or with =true/=false or a following true/false word, "--" ending
// the flags; flags and operands in any order. Values are converted and
// files read in command-line order, so the first bad one is reported.
func parseFlags(specs []*flagSpec, args []string) (*flags, error) {
	byName := make(map[string]*flagSpec, len(specs))
	for _, s := range specs {
		byName[s.name] = s
	}
	f := &flags{specs: specs}
	type occurrence struct {
		spec *flagSpec
		raw  string
	}
	var occ []occurrence
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			f.operands = append(f.operands, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			f.operands = append(f.operands, a)
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		name, value, hasValue := strings.Cut(name, "=")
		if name == "h" || name == "help" {
			f.help = true
			continue
		}
		spec, ok := byName[name]
		if !ok {
			return nil, flagError(name, "unknown flag")
		}
		if spec.kind == kindBool {
			if !hasValue && i+1 < len(args) && (args[i+1] == "true" || args[i+1] == "false") {
				value, hasValue = args[i+1], true
				i++
			}
			if !hasValue {
				value = "true"
			}
		} else if !hasValue {
			if i+1 >= len(args) {
				return nil, flagError(name, "missing value (%s)", spec.arg)
			}
			value = args[i+1]
			i++
		}
		occ = append(occ, occurrence{spec, value})
	}
	if f.help {
		return f, nil
	}
	for _, o := range occ {
		v, err := convert(o.spec, o.raw)
		if err != nil {
			return nil, err
		}
		f.given = append(f.given, v)
	}
	return f, nil
}

// convert checks and converts one value, reading files.
func convert(spec *flagSpec, raw string) (*flagValue, error) {
	v := &flagValue{spec: spec, raw: raw, str: raw}
	var err error
	switch spec.kind {
	case kindBool:
		if v.b, err = strconv.ParseBool(raw); err != nil {
			return nil, flagError(spec.name, "invalid boolean %q (want true or false)", raw)
		}
	case kindInt:
		if v.i, err = strconv.ParseInt(raw, 10, 64); err != nil {
			return nil, flagError(spec.name, "invalid integer %q", raw)
		}
	case kindUint:
		if v.u, err = strconv.ParseUint(raw, 0, 64); err != nil {
			return nil, flagError(spec.name, "invalid unsigned integer %q", raw)
		}
	case kindDuration:
		if v.d, err = time.ParseDuration(raw); err != nil {
			return nil, flagError(spec.name, "invalid duration %q (Go syntax: 1s, 500ms)", raw)
		}
	case kindList:
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				v.list = append(v.list, s)
			}
		}
	case kindFile:
		if v.file, err = readFile(spec.name, raw); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// readFile reads a file named by a flag; a failure is that flag's
// usageError with the errno's name as its code.
func readFile(flag, path string) ([]byte, error) {
	if path == "" {
		return nil, flagError(flag, "empty file name")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &usageError{flag: flag, code: errnoCode(err), message: err.Error()}
	}
	return b, nil
}

// errnoCode names a file error's errno as Node does ("ENOENT").
func errnoCode(err error) string {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		switch errno {
		case syscall.ENOENT:
			return "ENOENT"
		case syscall.EACCES:
			return "EACCES"
		case syscall.EISDIR:
			return "EISDIR"
		case syscall.ENOTDIR:
			return "ENOTDIR"
		case syscall.ELOOP:
			return "ELOOP"
		case syscall.EPERM:
			return "EPERM"
		}
	case errors.Is(err, fs.ErrNotExist):
		return "ENOENT"
	case errors.Is(err, fs.ErrPermission):
		return "EACCES"
	}
	return ""
}

// has reports whether the flag was given.
func (f *flags) has(name string) bool { return f.last(name) != nil }

// last returns the flag's last occurrence, or nil.
func (f *flags) last(name string) *flagValue {
	for i := len(f.given) - 1; i >= 0; i-- {
		if f.given[i].spec.name == name {
			return f.given[i]
		}
	}
	return nil
}

// all returns every occurrence of the flag, in order.
func (f *flags) all(name string) []*flagValue {
	var out []*flagValue
	for _, v := range f.given {
		if v.spec.name == name {
			out = append(out, v)
		}
	}
	return out
}

func (f *flags) str(name, def string) string {
	if v := f.last(name); v != nil {
		return v.str
	}
	return def
}

func (f *flags) boolean(name string, def bool) bool {
	if v := f.last(name); v != nil {
		return v.b
	}
	return def
}

func (f *flags) file(name string) []byte {
	if v := f.last(name); v != nil {
		return v.file
	}
	return nil
}

// files returns the contents of every occurrence of a repeatable file flag.
func (f *flags) files(name string) [][]byte {
	var out [][]byte
	for _, v := range f.all(name) {
		out = append(out, v.file)
	}
	return out
}

// list returns the items of every occurrence of a list flag, nil when the
// flag was not given.
func (f *flags) list(name string) []string {
	var out []string
	for _, v := range f.all(name) {
		if out == nil {
			out = []string{}
		}
		out = append(out, v.list...)
	}
	return out
}

// usage writes the flag table of a command.
func usage(b *strings.Builder, specs []*flagSpec) {
	for _, s := range specs {
		left := "--" + s.name
		if s.arg != "" {
			left += " " + s.arg
		}
		if s.repeat {
			left += " ..."
		}
		fmt.Fprintf(b, "  %-34s %s\n", left, s.help)
	}
}

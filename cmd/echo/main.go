// Command echo is a TLS echo server and client over nodetls, in the spirit
// of openssl s_server / s_client but speaking Node's tls vocabulary. Its
// flags and outputs are the contract of /work/shared/CLI.md:
//
//	echo server [flags]           a TLS echo server
//	echo client HOST:PORT [flags] copies stdin to a TLS server and the server to stdout
//
// Flags are GNU-style ("--flag value" or "--flag=value"); a BOOL flag alone
// means true. Bad flags, unreadable files and invalid TLS settings exit with
// status 2 and one stderr line "error: --FLAG: CODE: MESSAGE"; a failed
// connection exits 1 with "error: CODE: MESSAGE". Diagnostics go to stderr,
// never stdout. echo imports only the public tls package.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/nodetls/nodetls/tls"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // a connection or handshake failure
	exitUsage   = 2 // bad flags, unreadable files, invalid TLS settings
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	tls.OnWarning = func(name, code, message string) {
		if code != "" {
			fmt.Fprintf(stderr, "echo: [%s] %s: %s\n", code, name, message)
		} else {
			fmt.Fprintf(stderr, "echo: %s: %s\n", name, message)
		}
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, "error: missing command: server or client (see echo --help)")
		return exitUsage
	}
	switch args[0] {
	case "server":
		return runServer(args[1:], stdout, stderr)
	case "client":
		return runClient(args[1:], stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, helpText())
		return exitOK
	}
	fmt.Fprintf(stderr, "error: unknown command %q: want server or client\n", args[0])
	return exitUsage
}

func helpText() string {
	var b strings.Builder
	b.WriteString("usage:\n  echo server [flags]\n  echo client HOST:PORT [flags]\n\nserver flags:\n")
	usage(&b, serverSpecs)
	b.WriteString("\nclient flags:\n")
	usage(&b, clientSpecs)
	return b.String()
}

// fail prints err in the form its kind calls for and returns the exit
// status: a *usageError exits 2 with "error: --FLAG: CODE: MESSAGE",
// anything else 1 with "error: CODE: MESSAGE".
func fail(stderr io.Writer, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "error: %s\n", oneLine(ue.Error()))
		return exitUsage
	}
	fmt.Fprintf(stderr, "error: %s\n", oneLine(describe(err)))
	return exitFailure
}

// describe renders an error as "CODE: MESSAGE", or "MESSAGE" when it has
// no Node code.
func describe(err error) string {
	code, msg := codeMessage(err)
	if code == "" {
		return msg
	}
	return code + ": " + msg
}

// codeMessage returns the Node code and message of err: those of its
// *tls.Error when it has one.
func codeMessage(err error) (code, message string) {
	var te *tls.Error
	if errors.As(err, &te) {
		return te.Code, te.Message
	}
	return "", err.Error()
}

// tlsUsageError turns a library error caused by flag into a usageError.
func tlsUsageError(flag string, err error) *usageError {
	code, msg := codeMessage(err)
	return &usageError{flag: flag, code: code, message: msg}
}

// oneLine keeps a message on one line (OpenSSL error stacks can span
// several).
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// A step adds one flag's setting to a configuration T; blame replays steps
// to find the flag whose setting the library refuses.
type step[T any] struct {
	flag  string // "" for settings that are no flag's (the generated certificate)
	apply func(*T)
}

// blame applies steps one after another to a zero T and calls try after
// each; the first step after which try fails is blamed. It returns nil
// when every prefix passes.
func blame[T any](steps []step[T], try func(T) error) error {
	var cfg T
	for _, s := range steps {
		s.apply(&cfg)
		if err := try(cfg); err != nil {
			if s.flag == "" {
				return &usageError{code: tls.ErrorCode(err), message: errMessage(err)}
			}
			return tlsUsageError(s.flag, err)
		}
	}
	return nil
}

func errMessage(err error) string {
	_, msg := codeMessage(err)
	return msg
}

// contextSteps are the SecureContextOptions settings of the flags common to
// server and client, in the order the library applies them; get reaches
// the options inside the configuration T.
func contextSteps[T any](f *flags, get func(*T) *tls.SecureContextOptions) []step[T] {
	var steps []step[T]
	add := func(flag string, apply func(o *tls.SecureContextOptions)) {
		if f.has(flag) {
			steps = append(steps, step[T]{flag, func(c *T) { apply(get(c)) }})
		}
	}
	add("secure-protocol", func(o *tls.SecureContextOptions) { o.SecureProtocol = f.str("secure-protocol", "") })
	add("min-version", func(o *tls.SecureContextOptions) { o.MinVersion = f.str("min-version", "") })
	add("max-version", func(o *tls.SecureContextOptions) { o.MaxVersion = f.str("max-version", "") })
	add("ciphers", func(o *tls.SecureContextOptions) { o.Ciphers = f.str("ciphers", "") })
	add("honor-cipher-order", func(o *tls.SecureContextOptions) {
		o.HonorCipherOrder = tls.Bool(f.boolean("honor-cipher-order", false))
	})
	add("secure-options", func(o *tls.SecureContextOptions) { o.SecureOptions = f.last("secure-options").u })
	add("ecdh-curve", func(o *tls.SecureContextOptions) { o.ECDHCurve = f.str("ecdh-curve", "") })
	add("dhparam", func(o *tls.SecureContextOptions) { o.DHParam = f.file("dhparam") })
	add("ca", func(o *tls.SecureContextOptions) { o.CA = f.files("ca") })
	add("crl", func(o *tls.SecureContextOptions) { o.CRL = f.files("crl") })
	add("passphrase", func(o *tls.SecureContextOptions) { o.Passphrase = f.str("passphrase", "") })
	add("cert", func(o *tls.SecureContextOptions) { o.Cert = f.files("cert") })
	add("key", func(o *tls.SecureContextOptions) {
		for _, k := range f.files("key") {
			o.Key = append(o.Key, tls.KeyPEM{PEM: k})
		}
	})
	add("pfx", func(o *tls.SecureContextOptions) { o.PFX = f.file("pfx") })
	add("session-id-context", func(o *tls.SecureContextOptions) { o.SessionIDContext = f.str("session-id-context", "") })
	return steps
}

// withDefaultCiphers runs fn with tls.DefaultCiphers set to ciphers ("":
// unchanged), then restores it.
func withDefaultCiphers(ciphers string, fn func() error) error {
	if ciphers == "" {
		return fn()
	}
	old := tls.DefaultCiphers
	tls.DefaultCiphers = ciphers
	defer func() { tls.DefaultCiphers = old }()
	return fn()
}

// An output writes whole lines to stdout, one writer at a time, each line
// with a single write so that it is flushed at once.
type output struct {
	mu sync.Mutex
	w  io.Writer
}

// line writes s and a newline.
func (o *output) line(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	io.WriteString(o.w, s+"\n")
}

// json writes v as one line of JSON (no HTML escaping, as JSON.stringify).
func (o *output) json(v any) {
	b, err := marshal(v)
	if err != nil {
		b = []byte(fmt.Sprintf(`{"event":"error","code":null,"message":%q}`+"\n", "echo: cannot encode event: "+err.Error()))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.w.Write(b)
}

// marshal encodes v as JSON followed by a newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// connInfo is the "Connection fields in JSON" of CLI.md, with Node's names
// and shapes; Event is set for server events.
type connInfo struct {
	Event              string          `json:"event,omitempty"`
	Authorized         bool            `json:"authorized"`
	AuthorizationError *string         `json:"authorizationError"`
	Protocol           string          `json:"protocol"`
	Cipher             cipherInfo      `json:"cipher"`
	EphemeralKeyInfo   *keyInfo        `json:"ephemeralKeyInfo,omitempty"` // client only
	ALPNProtocol       any             `json:"alpnProtocol"`               // string or false
	NPNProtocol        any             `json:"npnProtocol"`                // string or false
	Servername         any             `json:"servername"`                 // string or false
	SessionReused      bool            `json:"sessionReused"`
	Session            []byte          `json:"session"`      // base64 or null
	TLSTicket          []byte          `json:"tlsTicket"`    // base64 or null
	OCSPResponse       []byte          `json:"ocspResponse"` // base64 or null
	PeerCertificate    json.RawMessage `json:"peerCertificate"`
}

type cipherInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// keyInfo is getEphemeralKeyInfo(): {} when the exchange was not ephemeral,
// no name for DH.
type keyInfo struct {
	Type string `json:"type,omitempty"`
	Name string `json:"name,omitempty"`
	Size int    `json:"size,omitempty"`
}

// connectionInfo reads the connection fields of t; event is "" for the
// client's line.
func connectionInfo(t *tls.TLSSocket, event string) (*connInfo, error) {
	ci := &connInfo{
		Event:         event,
		Authorized:    t.Authorized(),
		Protocol:      t.Protocol(),
		ALPNProtocol:  stringOrFalse(t.ALPNProtocol()),
		NPNProtocol:   stringOrFalse(t.NPNProtocol()),
		Servername:    stringOrFalse(t.ServerName()),
		SessionReused: t.IsSessionReused(),
		Session:       t.Session(),
		TLSTicket:     t.TLSTicket(),
		OCSPResponse:  t.OCSPResponse(),
	}
	if err := t.AuthorizationError(); err != nil {
		code := tls.ErrorCode(err)
		if code == "" {
			code = err.Error()
		}
		ci.AuthorizationError = &code
	}
	c := t.Cipher()
	ci.Cipher = cipherInfo{Name: c.Name, Version: c.Version}
	if event == "" {
		ci.EphemeralKeyInfo = &keyInfo{}
		if k := t.EphemeralKeyInfo(); k != nil {
			*ci.EphemeralKeyInfo = keyInfo{Type: k.Type, Name: k.Name, Size: k.Size}
		}
	}
	ci.PeerCertificate = json.RawMessage("{}")
	if pc := t.PeerCertificate(true); pc != nil {
		b, err := json.Marshal(pc)
		if err != nil {
			return nil, fmt.Errorf("encoding the peer certificate: %w", err)
		}
		ci.PeerCertificate = b
	}
	return ci, nil
}

func stringOrFalse(s string) any {
	if s == "" {
		return false
	}
	return s
}

// errorEvent is the tlsClientError and error events: code is null when the
// error has no Node code.
type errorEvent struct {
	Event   string  `json:"event"`
	Code    *string `json:"code"`
	Message string  `json:"message"`
}

func newErrorEvent(event string, err error) errorEvent {
	code, msg := codeMessage(err)
	ev := errorEvent{Event: event, Message: msg}
	if code != "" {
		ev.Code = &code
	}
	return ev
}

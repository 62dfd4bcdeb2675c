package tls

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/nodetls/nodetls/ossl"
)

// protocolWire converts ALPN/NPN protocol names to the wire format (each
// name prefixed by its length), as Node's convertProtocols does.
func protocolWire(protos []string) ([]byte, error) {
	var wire []byte
	for i, p := range protos {
		if len(p) > 255 {
			return nil, newError(CodeOutOfRange, "The byte length of the protocol at index "+strconv.Itoa(i)+
				" exceeds the maximum length. It must be <= 255. Received "+strconv.Itoa(len(p)))
		}
		wire = append(wire, byte(len(p)))
		wire = append(wire, p...)
	}
	return wire, nil
}

// sniContext is one AddContext entry: Node's pattern, compiled the way
// Node compiles it.
type sniContext struct {
	re *regexp.Regexp
	sc *SecureContext
}

// sniPattern builds Node 20's addContext pattern: the characters
// . ^ $ + ? - \ [ ] { } are escaped, each '*' matches any run of
// characters but a dot, and the whole name must match, case-sensitively.
func sniPattern(servername string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(servername); i++ { // bytes: invalid UTF-8 stays as it is (and fails to compile)
		switch c := servername[i]; c {
		case '.', '^', '$', '+', '?', '-', '\\', '[', ']', '{', '}':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '*':
			b.WriteString("[^.]*")
		default:
			b.WriteByte(c)
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// sniHook returns the bridge hook that runs when the handshake pauses for
// SNI: pick chooses the context for the client's name (nil: keep the
// default), outside any C call, and the handshake resumes on it.
func (t *TLSSocket) sniHook(pick func(servername string) (*SecureContext, error)) func() error {
	return func() error {
		var name string
		t.conn.WithSSL(func(s *ossl.SSL) { name = s.ServerName() })
		sc, err := pick(name)
		if err != nil {
			return err
		}
		var rerr error
		ok := t.conn.WithSSL(func(s *ossl.SSL) {
			if sc != nil {
				rerr = s.ResumeCertCallback(sc.ctx)
			} else {
				rerr = s.ResumeCertCallback(nil)
			}
		})
		if !ok {
			return newError(CodeSocketClosed, "Socket is closed")
		}
		if rerr != nil {
			return opensslError(rerr.(*ossl.Error))
		}
		return nil
	}
}

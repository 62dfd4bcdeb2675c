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

// certHook returns the bridge hook that runs when the handshake pauses in
// the certificate callback, outside any C call: first SNI (pick chooses
// the context for the client's name; nil keeps the default), then OCSP
// (ocsp gets the DER of the certificate about to be sent and of its
// issuer, and returns the response to staple, nil for none). Both may
// block; only this handshake waits.
func (t *TLSSocket) certHook(pick func(servername string) (*SecureContext, error),
	ocsp func(cert, issuer []byte) ([]byte, error)) func() error {
	return func() error {
		var name string
		var wantOCSP bool
		if !t.conn.WithSSL(func(s *ossl.SSL) { name, wantOCSP = s.ServerName(), s.OCSPRequested() }) {
			return newError(CodeSocketClosed, "Socket is closed")
		}
		if pick != nil && name != "" {
			sc, err := pick(name)
			if err != nil {
				return err
			}
			if sc != nil {
				var serr error
				t.conn.WithSSL(func(s *ossl.SSL) { serr = s.SwitchContext(sc.ctx) })
				if serr != nil {
					return opensslError(serr.(*ossl.Error))
				}
			}
		}
		if ocsp != nil && wantOCSP {
			var cert, issuer []byte
			t.conn.WithSSL(func(s *ossl.SSL) { cert, issuer = s.OwnCertificate() })
			resp, err := ocsp(cert, issuer)
			if err != nil {
				return err
			}
			t.conn.WithSSL(func(s *ossl.SSL) { s.SetOCSPResponse(resp) })
		}
		t.conn.WithSSL(func(s *ossl.SSL) { s.Resume() })
		return nil
	}
}

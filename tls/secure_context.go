package tls

import (
	"encoding/pem"
	"errors"

	"github.com/nodetls/nodetls/cipherlist"
	"github.com/nodetls/nodetls/ossl"
)

// A SecureContext owns one configured OpenSSL SSL_CTX. It may be shared by
// many servers and clients at once and is never changed after
// CreateSecureContext returns.
//
// Node: tls.SecureContext
type SecureContext struct {
	sidSet bool // SessionIDContext was given
	ctx    *ossl.Ctx
	caDER  [][]byte // the trusted certificates given in CA, for PeerCertificate chains
	method int      // ossl.MethodTLS, MethodTLSServer or MethodTLSClient
}

// Protocol versions as OpenSSL numbers them.
const (
	versionTLS10 = 0x0301
	versionTLS11 = 0x0302
	versionTLS12 = 0x0303
	versionTLS13 = 0x0304
)

var versionByName = map[string]int{
	"TLSv1": versionTLS10, "TLSv1.1": versionTLS11, "TLSv1.2": versionTLS12, "TLSv1.3": versionTLS13,
}

// methodWindow is Node 20's SecureContext::Init table: the version window
// and role each method name gives. min -1 keeps the caller's minimum (the
// SSLv23 names only cap the maximum).
func methodWindow(name string, min int) (lo, hi, method int, err error) {
	switch name {
	case "SSLv2_method", "SSLv2_server_method", "SSLv2_client_method":
		return 0, 0, 0, newError(CodeInvalidProtocolMethod, "SSLv2 methods disabled")
	case "SSLv3_method", "SSLv3_server_method", "SSLv3_client_method":
		return 0, 0, 0, newError(CodeInvalidProtocolMethod, "SSLv3 methods disabled")
	case "SSLv23_method":
		return min, versionTLS12, ossl.MethodTLS, nil
	case "SSLv23_server_method":
		return min, versionTLS12, ossl.MethodTLSServer, nil
	case "SSLv23_client_method":
		return min, versionTLS12, ossl.MethodTLSClient, nil
	case "TLS_method":
		return 0, versionTLS13, ossl.MethodTLS, nil
	case "TLS_server_method":
		return 0, versionTLS13, ossl.MethodTLSServer, nil
	case "TLS_client_method":
		return 0, versionTLS13, ossl.MethodTLSClient, nil
	}
	for _, m := range []struct {
		prefix string
		v      int
	}{{"TLSv1_", versionTLS10}, {"TLSv1_1_", versionTLS11}, {"TLSv1_2_", versionTLS12}} {
		switch name {
		case m.prefix + "method":
			return m.v, m.v, ossl.MethodTLS, nil
		case m.prefix + "server_method":
			return m.v, m.v, ossl.MethodTLSServer, nil
		case m.prefix + "client_method":
			return m.v, m.v, ossl.MethodTLSClient, nil
		}
	}
	return 0, 0, 0, newError(CodeInvalidProtocolMethod, "Unknown method: "+name)
}

// CreateSecureContext builds a context from opts in the order Node's
// configSecureContext applies them (ciphers first, since @SECLEVEL changes
// what later steps accept; CA before certificates; certificates before
// keys, which are checked against them).
//
// Node: tls.createSecureContext([options])
func CreateSecureContext(opts SecureContextOptions) (*SecureContext, error) {
	return createSecureContext(opts, "options")
}

func createSecureContext(opts SecureContextOptions, name string) (*SecureContext, error) {
	if opts.SecureProtocol != "" {
		if opts.MinVersion != "" {
			return nil, newError(CodeProtocolVersionConflict, "TLS protocol version \""+opts.MinVersion+"\" conflicts with secureProtocol \""+opts.SecureProtocol+"\"")
		}
		if opts.MaxVersion != "" {
			return nil, newError(CodeProtocolVersionConflict, "TLS protocol version \""+opts.MaxVersion+"\" conflicts with secureProtocol \""+opts.SecureProtocol+"\"")
		}
	}
	min, max := versionTLS12, versionTLS13
	if opts.MinVersion != "" {
		v, ok := versionByName[opts.MinVersion]
		if !ok {
			return nil, newError(CodeInvalidProtocolVersion, "\""+opts.MinVersion+"\" is not a valid minimum TLS protocol version")
		}
		min = v
	}
	if opts.MaxVersion != "" {
		v, ok := versionByName[opts.MaxVersion]
		if !ok {
			return nil, newError(CodeInvalidProtocolVersion, "\""+opts.MaxVersion+"\" is not a valid maximum TLS protocol version")
		}
		max = v
	}
	method := ossl.MethodTLS
	if opts.SecureProtocol != "" {
		var err error
		if min, max, method, err = methodWindow(opts.SecureProtocol, min); err != nil {
			return nil, err
		}
	}
	cipherList, cipherSuites, err := splitCiphers(opts.Ciphers, name+".ciphers")
	if err != nil {
		return nil, err
	}

	ctx, err := ossl.NewCtx(method)
	if err != nil {
		return nil, opensslError(err.(*ossl.Error))
	}
	sc := &SecureContext{ctx: ctx, method: method}
	if err := sc.configure(opts, min, max, cipherList, cipherSuites); err != nil {
		ctx.Free()
		return nil, err
	}
	return sc, nil
}

func (sc *SecureContext) configure(opts SecureContextOptions, min, max int, cipherList, cipherSuites string) error {
	c := sc.ctx
	if err := c.SetProtoVersions(min, max); err != nil {
		return opensslError(err.(*ossl.Error))
	}
	options := opts.SecureOptions
	if boolOr(opts.HonorCipherOrder, false) {
		options |= ossl.SSL_OP_CIPHER_SERVER_PREFERENCE
	}
	if options != 0 {
		c.SetOptions(options)
	}

	curve := opts.ECDHCurve
	if curve == "" {
		curve = DefaultECDHCurve
	}
	if curve == "false" && cipherList != "" {
		// No ECDHE key exchange in TLS 1.2 and below; TLS 1.3 groups stay.
		cipherList += ":!kECDHE"
	}
	if cipherSuites != "" {
		if err := c.SetCipherSuites(cipherSuites); err != nil {
			return noCipherMatch(cipherSuites, err.(*ossl.Error))
		}
	}
	if err := c.SetCipherList(cipherList); err != nil {
		// An empty TLS 1.2 list is how a TLS 1.3-only list is spelled.
		if cipherList != "" {
			return noCipherMatch(cipherList, err.(*ossl.Error))
		}
	}
	if cipherList == "" {
		if lo, hi := c.ProtoVersions(); (lo == 0 || lo < versionTLS13) && (hi == 0 || hi > versionTLS12) {
			c.SetProtoVersions(versionTLS13, hi)
		}
	}

	if opts.CA != nil {
		for _, ca := range opts.CA {
			c.AddCA(ca)
			sc.caDER = append(sc.caDER, pemCertificates(ca)...)
		}
	} else if opts.PFX != nil || opts.CRL != nil {
		// The PFX's CA certificates or the CRLs join the store: it must
		// be this context's own.
		if err := c.SetDefaultVerifyPaths(); err != nil {
			return opensslError(err.(*ossl.Error))
		}
	} else if err := c.UseRootStore(); err != nil {
		return opensslError(err.(*ossl.Error))
	}
	for _, chain := range opts.Cert {
		if err := c.UseCertificateChain(chain); err != nil {
			return opensslError(err.(*ossl.Error))
		}
	}
	for _, k := range opts.Key {
		pass := k.Passphrase
		if pass == "" {
			pass = opts.Passphrase
		}
		if err := c.UsePrivateKey(k.PEM, pass, pass != ""); err != nil {
			return opensslError(err.(*ossl.Error))
		}
	}

	if curve != "auto" && curve != "false" {
		if err := c.SetGroupsList(curve); err != nil {
			return &Error{Code: CodeCryptoOperationFailed, Message: "Failed to set ECDH curve", Err: err}
		}
	}
	if opts.DHParam != nil {
		if string(opts.DHParam) == "auto" {
			if err := c.SetDHAuto(); err != nil {
				return &Error{Code: CodeCryptoOperationFailed, Message: "Error setting temp DH parameter", Err: err}
			}
		} else {
			parsed, bits, err := c.SetDHParams(opts.DHParam)
			switch {
			case !parsed:
				// Node ignores parameters it cannot parse: DHE stays off.
			case bits < 1024:
				return newError(CodeInvalidArgValue, "DH parameter is less than 1024 bits")
			case err != nil:
				return &Error{Code: CodeCryptoOperationFailed, Message: "Error setting temp DH parameter", Err: err}
			case bits < 2048:
				warn("SecurityWarning", "", "DH parameter is less than 2048 bits")
			}
		}
	}
	for _, crl := range opts.CRL {
		// Node reads the first CRL of each entry.
		if err := c.AddCRL(crl); err != nil {
			return &Error{Code: CodeCryptoOperationFailed, Message: "Failed to parse CRL", Err: err}
		}
	}
	if opts.SessionIDContext != "" {
		sc.sidSet = true
		if err := c.SetSessionIDContext(sessionIDContextBytes(opts.SessionIDContext)); err != nil {
			return opensslError(err.(*ossl.Error))
		}
	}
	if opts.PFX != nil {
		if err := c.UsePKCS12(opts.PFX, opts.Passphrase, opts.Passphrase != ""); err != nil {
			oe := err.(*ossl.Error)
			// Node reports only the reason text here ("mac verify failure").
			msg := oe.Reason()
			if msg == "" {
				msg = "Unknown error"
			}
			return &Error{Code: oe.Code(), Message: msg, Reason: oe.Reason(), Err: oe}
		}
	}
	// The store and the certificates are final: build the chains now
	// rather than on every handshake.
	c.BuildChains()
	return nil
}

// sessionIDContextBytes keeps a session ID context within OpenSSL's 32
// bytes.
func sessionIDContextBytes(s string) []byte {
	b := []byte(s)
	if len(b) > 32 {
		b = b[:32]
	}
	return b
}

// splitCiphers is Node 20's processCiphers (cipherlist.Split): TLS_*
// names (and !TLS_*) are TLS 1.3 suites, the rest the TLS 1.2 list; both
// empty is an error.
func splitCiphers(ciphers, name string) (list, suites string, err error) {
	if ciphers == "" {
		ciphers = DefaultCiphers
	}
	list, suites, err = cipherlist.Split(ciphers)
	if errors.Is(err, cipherlist.ErrEmpty) {
		return "", "", invalidArgValue(name, ciphers, "is invalid")
	}
	return list, suites, err
}

// noCipherMatch gives OpenSSL's "no cipher match" Node's code and message,
// with cipherlist's account of the unknown names as its cause.
func noCipherMatch(list string, oe *ossl.Error) error {
	e := opensslError(oe)
	if _, cerr := cipherlist.Check(list); cerr != nil {
		e.Err = errors.Join(oe, cerr)
	}
	return e
}

// pemCertificates returns the DER of every certificate block in b.
func pemCertificates(b []byte) [][]byte {
	var out [][]byte
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return out
		}
		if blk.Type == "CERTIFICATE" || blk.Type == "TRUSTED CERTIFICATE" {
			out = append(out, blk.Bytes)
		}
	}
}

// Close drops this owner's reference to the SSL_CTX; connections that use
// it keep theirs, so it is released once the last one closes. Closing is
// optional: an unreachable context is freed by the garbage collector.
//
// Node: (no equivalent; contexts are garbage-collected)
func (sc *SecureContext) Close() error {
	sc.ctx.Free()
	return nil
}

// newSSL makes an SSL for one connection from this context.
func (sc *SecureContext) newSSL(server bool) (*ossl.SSL, error) {
	if sc.ctx.Freed() {
		return nil, newError(CodeTLSInvalidState, "the SecureContext is closed")
	}
	ssl, err := ossl.NewSSL(sc.ctx, server)
	if err != nil {
		return nil, opensslError(err.(*ossl.Error))
	}
	return ssl, nil
}

// Ciphers returns the names of the supported ciphers, lower-case, sorted
// and without duplicates, TLS 1.3 suites included: the local node's list.
//
// Node: tls.getCiphers()
func Ciphers() []string { return cipherlist.Ciphers() }

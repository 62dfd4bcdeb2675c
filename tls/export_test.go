package tls

import "github.com/nodetls/nodetls/ossl"

// SessionIDForTest exposes a DER session's ID to the external tests.
func SessionIDForTest(der []byte) []byte { return ossl.SessionID(der) }

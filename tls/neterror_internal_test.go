package tls

import (
	"errors"
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNetErrorCodes(t *testing.T) {
	err := netError(&net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.ParseIP("::1"), Port: 1}, Err: syscall.ECONNREFUSED})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "ECONNREFUSED", e.Code)
	require.Equal(t, "connect ECONNREFUSED ::1:1", e.Message)
	require.ErrorIs(t, err, syscall.ECONNREFUSED)

	err = netError(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Name: "nosuchhost.invalid", IsNotFound: true}})
	require.ErrorAs(t, err, &e)
	require.Equal(t, "ENOTFOUND", e.Code)
	require.Equal(t, "getaddrinfo ENOTFOUND nosuchhost.invalid", e.Message)

	plain := errors.New("other")
	require.Equal(t, plain, netError(plain))
}

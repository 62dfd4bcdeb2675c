package tls_test

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/nodetls/nodetls/tls"
)

// The echo server of Node's tls documentation:
//
//	const server = tls.createServer({key, cert}, (socket) => {
//	  socket.write('welcome!\n');
//	  socket.setEncoding('utf8');
//	  socket.pipe(socket);
//	});
//	server.listen(8000);
func ExampleCreateServer() {
	key, _ := os.ReadFile("server-key.pem")
	cert, _ := os.ReadFile("server-cert.pem")
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: tls.SecureContextOptions{
		Key:  []tls.KeyPEM{{PEM: key}},
		Cert: [][]byte{cert},
	}}, func(s *tls.TLSSocket) {
		fmt.Println("server connected", map[bool]string{true: "authorized", false: "unauthorized"}[s.Authorized()])
		go func() {
			defer s.Close()
			s.Write([]byte("welcome!\n"))
			io.Copy(s, s)
		}()
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Listen(8000, "127.0.0.1"); err != nil {
		log.Fatal(err)
	}
}

// The client of Node's tls documentation:
//
//	const socket = tls.connect(8000, {ca: [cert]}, () => {
//	  console.log('client connected', socket.authorized ? 'authorized' : 'unauthorized');
//	  process.stdin.pipe(socket);
//	});
func ExampleConnect() {
	ca, _ := os.ReadFile("ca-cert.pem")
	s, err := tls.Connect(tls.ConnectOptions{Port: 8000, SecureContextOptions: tls.SecureContextOptions{CA: [][]byte{ca}}})
	if err != nil {
		log.Fatal(tls.ErrorCode(err), ": ", err)
	}
	defer s.Close()
	fmt.Println("client connected", map[bool]string{true: "authorized", false: "unauthorized"}[s.Authorized()])
	go io.Copy(s, os.Stdin)
	io.Copy(os.Stdout, s)
}

func ExampleCheckServerIdentity() {
	cert := &tls.PeerCertificate{Subject: map[string]string{"CN": "example.com"}, SubjectAltName: "DNS:example.com, DNS:*.example.com"}
	fmt.Println(tls.CheckServerIdentity("a.example.com", cert))
	err := tls.CheckServerIdentity("example.org", cert)
	fmt.Println(tls.ErrorCode(err))
	fmt.Println(err)
	// Output:
	// <nil>
	// ERR_TLS_CERT_ALTNAME_INVALID
	// Hostname/IP does not match certificate's altnames: Host: example.org. is not in the cert's altnames: DNS:example.com, DNS:*.example.com
}

func ExampleCreateSecureContext_ciphers() {
	_, err := tls.CreateSecureContext(tls.SecureContextOptions{Ciphers: "NO-SUCH-CIPHER"})
	fmt.Println(tls.ErrorCode(err), err)
	// Output: ERR_SSL_NO_CIPHER_MATCH error:0A0000B9:SSL routines::no cipher match
}

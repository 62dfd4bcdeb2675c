#!/usr/bin/env bash
# gen.sh regenerates every fixture in testdata/ with the openssl CLI
# (written against OpenSSL 3.0.x). Run it from anywhere:
#
#     bash testdata/gen.sh
#
# It overwrites all generated files (new keys every run; file names are
# fixed). See README.md for what each file is for. Nothing outside this
# directory is touched except a temporary directory that is removed on exit.
#
# ONLY=trust bash testdata/gen.sh makes only the certificate-verification
# fixtures (gen_trust below), signed by the existing ca1 and leaving every
# other file untouched. A full run needs `go` for testdata/badsig.
set -euo pipefail

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

DAYS=36500
cd "$OUT"

# Use our own config only; the system openssl.cnf (Debian sets
# x509_extensions=v3_ca, SECLEVEL=2, ...) must not leak into the fixtures.
EXT="$TMP/ext.cnf"
cat >"$EXT" <<'EOF'
[req]
distinguished_name = req_dn
string_mask = utf8only
[req_dn]

[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_intermediate]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_agent1]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth,clientAuth
authorityInfoAccess = OCSP;URI:http://ocsp.nodejs.org/,caIssuers;URI:http://ca.nodejs.org/ca.cert
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_selfsigned_leaf]
basicConstraints = CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_agent3]
basicConstraints = CA:FALSE
subjectAltName = DNS:agent3
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_agent4]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_agent6]
basicConstraints = CA:FALSE
subjectAltName = DNS:agent6
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_localhost]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost,DNS:*.example.com,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_ipcn]
basicConstraints = CA:FALSE
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_multi]
basicConstraints = CA:FALSE
subjectAltName = DNS:multi.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_plain_leaf]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_client1]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_ec]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_ecleaf]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_rsa1024]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_pass]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

# Intermediates that are not CAs. notca has no basicConstraints but may sign
# certificates (keyUsage keyCertSign), so only the CA check fails:
# INVALID_CA. cafalse says CA:FALSE, so the CA check and the SSL purpose
# check both fail (Node reports the last one, INVALID_PURPOSE).
[v3_notca]
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_cafalse]
basicConstraints = CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

# An intermediate that may not have CA certificates below it.
[v3_pathlen0]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_serverauth]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

# 1.3.6.1.4.1.32473 is the documentation enterprise number (RFC 5612).
[v3_critext]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
1.3.6.1.4.1.32473.1 = critical,ASN1:UTF8String:nodetls test extension

[crl_ext]
authorityKeyIdentifier = keyid:always
EOF
export OPENSSL_CONF="$EXT"

# Config for `openssl ca` (throwaway databases under $TMP, one per CA).
CACNF="$TMP/ca.cnf"
cat >"$CACNF" <<'EOF'
[ca]
default_ca = CA_default
[CA_default]
dir = $ENV::CADIR
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 36500
default_crl_days = 36500
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = yes
crl_extensions = crl_ext
[policy_any]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional
[crl_ext]
authorityKeyIdentifier = keyid:always
EOF

# cadb NAME: initialise an empty openssl-ca database in $TMP/NAME.
cadb() {
	local d="$TMP/$1"
	mkdir -p "$d/newcerts"
	: >"$d/index.txt"
	echo "unique_subject = no" >"$d/index.txt.attr"
	echo "$(openssl rand -hex 15 | tr a-f A-F)" >"$d/serial"
	echo 1000 >"$d/crlnumber"
}

# quiet CMD...: run CMD, showing its stderr only if it fails (openssl prints
# key-generation progress and "Signature ok" chatter on stderr).
quiet() {
	local log="$TMP/stderr.log"
	if ! "$@" 2>"$log"; then
		cat "$log" >&2
		echo "gen.sh: failed: $*" >&2
		return 1
	fi
}

# serial: a random positive 120-bit serial for `x509 -set_serial`.
serial() { echo "0x$(openssl rand -hex 15)"; }

# rsakey ROLE [BITS]: unencrypted PKCS#8 RSA key.
rsakey() {
	quiet openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" \
		-out "$1-key.pem"
}

# eckey ROLE: unencrypted PKCS#8 P-256 key (named curve).
eckey() {
	quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve -out "$1-key.pem"
}

# selfsign ROLE SUBJECT EXTSECTION: self-signed cert from ROLE-key.pem.
selfsign() {
	local md=(-sha256)
	[[ "$1" == ed25519 ]] && md=()
	quiet openssl req -new -x509 -key "$1-key.pem" -subj "$2" "${md[@]}" \
		-days "$DAYS" -set_serial "$(serial)" \
		-config "$EXT" -extensions "$3" -out "$1-cert.pem"
}

# csr ROLE SUBJECT: CSR for ROLE-key.pem into $TMP.
csr() {
	quiet openssl req -new -key "$1-key.pem" -subj "$2" -sha256 \
		-config "$EXT" -out "$TMP/$1.csr"
}

# sign ROLE CA SUBJECT EXTSECTION: ROLE cert signed by CA via `x509 -req`.
sign() {
	csr "$1" "$3"
	quiet openssl x509 -req -in "$TMP/$1.csr" -CA "$2-cert.pem" -CAkey "$2-key.pem" \
		-set_serial "$(serial)" -sha256 -days "$DAYS" \
		-extfile "$EXT" -extensions "$4" -out "$1-cert.pem"
}

# casign ROLE CA SUBJECT EXTSECTION START END: ROLE cert signed by CA via
# `openssl ca` with explicit validity dates (x509 has no not-before option).
casign() {
	csr "$1" "$3"
	CADIR="$TMP/$2db" quiet openssl ca -batch -config "$CACNF" -notext -preserveDN \
		-cert "$2-cert.pem" -keyfile "$2-key.pem" -in "$TMP/$1.csr" \
		-startdate "$5" -enddate "$6" \
		-extfile "$EXT" -extensions "$4" -out "$1-cert.pem"
}

# gen_base makes every fixture except the verification ones below.
gen_base() {
	# --- CAs --------------------------------------------------------------------
	rsakey ca1
	selfsign ca1 "/C=US/O=Test/CN=ca1" v3_root
	rsakey ca2
	selfsign ca2 "/C=US/O=Test/CN=ca2" v3_root
	rsakey ca3
	sign ca3 ca1 "/C=US/O=Test/CN=ca3" v3_intermediate
	cat ca1-cert.pem ca2-cert.pem >ca1-ca2.pem

	# --- RSA leaves ---------------------------------------------------------------
	rsakey agent1
	sign agent1 ca1 "/C=US/ST=CA/L=SF/O=Joyent/OU=Node.js/CN=agent1/emailAddress=ry@tinyclouds.org" v3_agent1
	rsakey agent2
	selfsign agent2 "/C=US/O=Test/CN=agent2" v3_selfsigned_leaf
	rsakey agent3
	sign agent3 ca2 "/C=US/O=Test/CN=agent3" v3_agent3
	rsakey agent4
	sign agent4 ca2 "/C=US/O=Test/CN=agent4" v3_agent4
	rsakey agent6
	sign agent6 ca3 "/C=US/O=Test/CN=agent6" v3_agent6
	cat agent6-cert.pem ca3-cert.pem >agent6-chain.pem
	rsakey localhost
	sign localhost ca1 "/C=US/O=Test/CN=localhost" v3_localhost
	rsakey ipcn
	sign ipcn ca1 "/C=US/O=Test/CN=localhost" v3_ipcn
	rsakey multi
	sign multi ca1 "/C=US/O=Test/OU=a/OU=b/CN=multi1/CN=multi2" v3_multi
	rsakey client1
	sign client1 ca1 "/C=US/O=Test/CN=client1" v3_client1
	rsakey rsa1024 1024
	sign rsa1024 ca1 "/C=US/O=Test/CN=rsa1024" v3_rsa1024

	# --- Validity periods, revocation, CRLs, OCSP (openssl ca databases) ---------
	cadb ca1db
	cadb ca2db
	rsakey expired
	casign expired ca1 "/C=US/O=Test/CN=expired" v3_plain_leaf 20200101000000Z 20200102000000Z
	rsakey notyet
	casign notyet ca1 "/C=US/O=Test/CN=notyet" v3_plain_leaf 20900101000000Z 21000101000000Z
	rsakey revoked
	casign revoked ca1 "/C=US/O=Test/CN=revoked" v3_plain_leaf 20200101000000Z 21200101000000Z
	CADIR="$TMP/ca1db" quiet openssl ca -batch -config "$CACNF" -cert ca1-cert.pem -keyfile ca1-key.pem \
		-revoke revoked-cert.pem -crl_reason keyCompromise
	# agent1 goes into the database as valid so the OCSP responder says "good".
	CADIR="$TMP/ca1db" quiet openssl ca -batch -config "$CACNF" -cert ca1-cert.pem -keyfile ca1-key.pem \
		-valid agent1-cert.pem
	CADIR="$TMP/ca1db" quiet openssl ca -batch -config "$CACNF" -cert ca1-cert.pem -keyfile ca1-key.pem \
		-gencrl -crldays "$DAYS" -out ca1-crl.pem
	CADIR="$TMP/ca2db" quiet openssl ca -batch -config "$CACNF" -cert ca2-cert.pem -keyfile ca2-key.pem \
		-gencrl -crldays "$DAYS" -out ca2-crl.pem

	# OCSP responses (DER), signed directly by ca1, no nonce, nextUpdate decades out.
	for role in agent1 revoked; do
		quiet openssl ocsp -index "$TMP/ca1db/index.txt" -rsigner ca1-cert.pem -rkey ca1-key.pem \
			-CA ca1-cert.pem -issuer ca1-cert.pem -cert "$role-cert.pem" \
			-no_nonce -ndays "$DAYS" -respout "$role-ocsp.der" >/dev/null
	done

	# --- Non-RSA keys ---------------------------------------------------------------
	eckey ec
	selfsign ec "/C=US/O=Test/CN=ec" v3_ec
	eckey ec-leaf
	sign ec-leaf ca1 "/C=US/O=Test/CN=ecleaf" v3_ecleaf
	quiet openssl genpkey -algorithm ED25519 -out ed25519-key.pem
	selfsign ed25519 "/C=US/O=Test/CN=ed25519" v3_selfsigned_leaf

	# --- Encrypted key --------------------------------------------------------------
	# pass-key.pem: PKCS#8 EncryptedPrivateKeyInfo (PBES2, AES-256-CBC).
	# pass-key-legacy.pem: the same key in the traditional (PKCS#1) PEM encryption
	#   with Proc-Type/DEK-Info headers (AES-256-CBC), as Node's own fixture.
	# raw-key.pem: the same key unencrypted, PKCS#8 ("BEGIN PRIVATE KEY").
	quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out raw-key.pem
	quiet openssl pkey -in raw-key.pem -aes256 -passout pass:passphrase -out pass-key.pem
	quiet openssl rsa -in raw-key.pem -traditional -aes256 -passout pass:passphrase \
		-out pass-key-legacy.pem
	quiet openssl req -new -x509 -key pass-key.pem -passin pass:passphrase -subj "/C=US/O=Test/CN=pass" \
		-sha256 -days "$DAYS" -set_serial "$(serial)" -config "$EXT" -extensions v3_pass \
		-out pass-cert.pem

	# --- PKCS#12 --------------------------------------------------------------------
	quiet openssl pkcs12 -export -in agent1-cert.pem -inkey agent1-key.pem -certfile ca1-cert.pem \
		-name agent1 -passout pass:sample -out agent1.pfx
	quiet openssl pkcs12 -export -legacy -in agent1-cert.pem -inkey agent1-key.pem -certfile ca1-cert.pem \
		-name agent1 -passout pass:sample -out agent1-legacy.pfx

	# --- DH parameters and junk -----------------------------------------------------
	quiet openssl dhparam -out dh512.pem 512
	quiet openssl dhparam -out dh1024.pem 1024
	quiet openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out dh2048.pem
	printf 'This is not a PEM file.\nIt has no BEGIN line and no base64.\n' >dherror.pem
	printf 'garbage: this file is not PEM and not DER either.\n' >garbage.pem
}

# gen_trust makes the certificate-verification fixtures (one per
# X509_V_ERR_* case in tls/testdata/node/verify.js) on top of the CAs and
# leaves made by gen_base; `ONLY=trust` runs just this.
gen_trust() {
	# SELF_SIGNED_CERT_IN_CHAIN: the agent6 chain including its self-signed root.
	cat agent6-cert.pem ca3-cert.pem ca1-cert.pem >agent6-fullchain.pem

	# CRL_HAS_EXPIRED: an empty ca1 CRL valid only 2020-01-01..2020-01-02
	# (its own database, so it revokes nothing).
	cadb ca1expdb
	CADIR="$TMP/ca1expdb" quiet openssl ca -batch -config "$CACNF" -cert ca1-cert.pem -keyfile ca1-key.pem \
		-gencrl -crl_lastupdate 20200101000000Z -crl_nextupdate 20200102000000Z -out ca1-crl-expired.pem

	# INVALID_CA: ca1 -> notca (no basicConstraints, keyCertSign) -> notca-leaf,
	# and ca1 -> cafalse (CA:FALSE) -> cafalse-leaf.
	for role in notca cafalse; do
		rsakey "$role"
		sign "$role" ca1 "/C=US/O=Test/CN=$role" "v3_$role"
		rsakey "$role-leaf"
		sign "$role-leaf" "$role" "/C=US/O=Test/CN=$role-leaf" v3_plain_leaf
		cat "$role-leaf-cert.pem" "$role-cert.pem" >"$role-leaf-chain.pem"
	done

	# PATH_LENGTH_EXCEEDED: ca1 -> pathlen0 (pathlen:0) -> pathlen0-sub (CA)
	# -> pathlen0-leaf.
	rsakey pathlen0
	sign pathlen0 ca1 "/C=US/O=Test/CN=pathlen0" v3_pathlen0
	rsakey pathlen0-sub
	sign pathlen0-sub pathlen0 "/C=US/O=Test/CN=pathlen0-sub" v3_intermediate
	rsakey pathlen0-leaf
	sign pathlen0-leaf pathlen0-sub "/C=US/O=Test/CN=pathlen0-leaf" v3_plain_leaf
	cat pathlen0-leaf-cert.pem pathlen0-sub-cert.pem pathlen0-cert.pem >pathlen0-leaf-chain.pem

	# INVALID_PURPOSE as a client certificate (client1 is the server-side one).
	rsakey serverauth
	sign serverauth ca1 "/C=US/O=Test/CN=serverauth" v3_serverauth

	# UNSPECIFIED (X509_V_ERR_CA_MD_TOO_WEAK at security level >= 1): a SHA-1
	# signed leaf.
	rsakey sha1
	csr sha1 "/C=US/O=Test/CN=sha1"
	quiet openssl x509 -req -in "$TMP/sha1.csr" -CA ca1-cert.pem -CAkey ca1-key.pem \
		-set_serial "$(serial)" -sha1 -days "$DAYS" \
		-extfile "$EXT" -extensions v3_plain_leaf -out sha1-cert.pem

	# UNSPECIFIED (X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION): an unknown
	# critical extension.
	rsakey critext
	sign critext ca1 "/C=US/O=Test/CN=critext" v3_critext

	# CERT_SIGNATURE_FAILURE: localhost-cert.pem with a corrupted signature
	# (key: localhost-key.pem). The openssl CLI cannot make this.
	(cd "$OUT" && quiet go run ./badsig -dir "$OUT")
}

case "${ONLY:-}" in
"")
	gen_base
	gen_trust
	;;
trust)
	gen_trust
	;;
*)
	echo "gen.sh: unknown ONLY=$ONLY (want empty or trust)" >&2
	exit 2
	;;
esac

chmod 0644 ./*.pem ./*.pfx ./*.der
echo "fixtures written to $OUT"

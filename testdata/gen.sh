#!/usr/bin/env bash
# gen.sh regenerates every fixture in testdata/ with the openssl CLI
# (written against OpenSSL 3.0.x). Run it from anywhere:
#
#     bash testdata/gen.sh
#
# It overwrites all generated files (new keys every run; file names are
# fixed). See README.md for what each file is for. Nothing outside this
# directory is touched except a temporary directory that is removed on exit.
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

chmod 0644 ./*.pem ./*.pfx ./*.der
echo "fixtures written to $OUT"

// badinput.js records what Node 20 does with bad createSecureContext input
// (API.md "Bad input"), for tls/badinput_test.go: code and message, or
// "ok" when Node accepts the input. Run: node tls/testdata/node/badinput.js
'use strict';
const tls = require('tls');
const fs = require('fs');
const path = require('path');
const { fx } = require('./scenarios');

const key = fx('localhost-key.pem');
const cert = fx('localhost-cert.pem');
const cases = [
  { name: 'garbage-key', opts: { key: fx('garbage.pem'), cert } },
  { name: 'truncated-key', opts: { key: key.subarray(0, 200), cert } },
  { name: 'garbage-cert', opts: { key, cert: fx('garbage.pem') } },
  { name: 'truncated-cert', opts: { key, cert: cert.subarray(0, 300) } },
  { name: 'wrong-passphrase', opts: { key: fx('pass-key.pem'), cert: fx('pass-cert.pem'), passphrase: 'wrong' } },
  { name: 'missing-passphrase', opts: { key: fx('pass-key.pem'), cert: fx('pass-cert.pem') } },
  { name: 'right-passphrase', opts: { key: fx('pass-key.pem'), cert: fx('pass-cert.pem'), passphrase: 'passphrase' } },
  { name: 'per-key-passphrase-wins', opts: { key: [{ pem: fx('pass-key.pem'), passphrase: 'wrong' }], cert: fx('pass-cert.pem'), passphrase: 'passphrase' } },
  { name: 'passphrase-unencrypted-key', opts: { key, cert, passphrase: 'ignored' } },
  { name: 'legacy-encrypted-key', opts: { key: fx('pass-key-legacy.pem'), cert: fx('pass-cert.pem'), passphrase: 'passphrase' } },
  { name: 'wrong-pfx-passphrase', opts: { pfx: fx('agent1.pfx'), passphrase: 'wrong' } },
  { name: 'pfx', opts: { pfx: fx('agent1.pfx'), passphrase: 'sample' } },
  { name: 'key-mismatch', opts: { key: fx('agent1-key.pem'), cert: fx('agent2-cert.pem') } },
  { name: 'garbage-ca', opts: { key, cert, ca: fx('garbage.pem') } },
  { name: 'garbage-dhparam', opts: { key, cert, dhparam: fx('dherror.pem') } },
  { name: 'dhparam-512', opts: { key, cert, dhparam: fx('dh512.pem') } },
  { name: 'dhparam-1024', opts: { key, cert, dhparam: fx('dh1024.pem') } },
  { name: 'ciphers-no-match', opts: { ciphers: 'NO-SUCH-CIPHER' } },
  { name: 'ciphers-partial-match', opts: { ciphers: 'NO-SUCH-CIPHER:AES128-SHA' } },
  { name: 'ciphers-tls13-only', opts: { ciphers: 'TLS_AES_128_GCM_SHA256' } },
  { name: 'ciphers-tls13-bogus', opts: { ciphers: 'TLS_BOGUS' } },
  { name: 'ciphers-seclevel', opts: { ciphers: 'DEFAULT:@SECLEVEL=0' } },
  { name: 'ecdh-bogus', opts: { ecdhCurve: 'bogus-curve' } },
  { name: 'ecdh-list', opts: { ecdhCurve: 'X25519:prime256v1:secp384r1' } },
  { name: 'ecdh-auto', opts: { ecdhCurve: 'auto' } },
  { name: 'method-sslv2', opts: { secureProtocol: 'SSLv2_method' } },
  { name: 'method-sslv3', opts: { secureProtocol: 'SSLv3_client_method' } },
  { name: 'method-unknown', opts: { secureProtocol: 'blargh' } },
  { name: 'method-tlsv1_3', opts: { secureProtocol: 'TLSv1_3_method' } },
  { name: 'method-sslv23', opts: { secureProtocol: 'SSLv23_method' } },
  { name: 'method-tls', opts: { secureProtocol: 'TLS_method' } },
  { name: 'method-tlsv1_2-server', opts: { secureProtocol: 'TLSv1_2_server_method' } },
  { name: 'method-with-min', opts: { secureProtocol: 'TLS_method', minVersion: 'TLSv1.2' } },
  { name: 'method-with-max', opts: { secureProtocol: 'TLS_method', maxVersion: 'TLSv1.2' } },
  { name: 'bad-min', opts: { minVersion: 'TLSv9' } },
  { name: 'bad-max', opts: { maxVersion: 'SSLv3' } },
  { name: 'rsa-and-ec', opts: { key: [fx('localhost-key.pem'), fx('ec-leaf-key.pem')], cert: [fx('localhost-cert.pem'), fx('ec-leaf-cert.pem')] } },
  { name: 'ec-then-rsa-keys-first', opts: { key: [fx('ec-leaf-key.pem'), fx('localhost-key.pem')], cert: [fx('localhost-cert.pem'), fx('ec-leaf-cert.pem')] } },
  { name: 'ed25519', opts: { key: fx('ed25519-key.pem'), cert: fx('ed25519-cert.pem') } },
  { name: 'rsa1024', opts: { key: fx('rsa1024-key.pem'), cert: fx('rsa1024-cert.pem') } },
  { name: 'session-id-context', opts: { sessionIdContext: 'abc' } },
];

const out = { node: process.version, openssl: process.versions.openssl, cases: [] };
for (const c of cases) {
  try {
    tls.createSecureContext(c.opts);
    out.cases.push({ name: c.name, result: 'ok' });
  } catch (e) {
    out.cases.push({ name: c.name, result: 'error', code: e.code || '', message: e.message });
  }
}
fs.writeFileSync(path.join(__dirname, 'badinput.json'), JSON.stringify(out, null, 2) + '\n');

// scenarios.js: the connection scenarios shared by connection.js (golden
// values) and peer.js (live interop peers).
'use strict';
const fs = require('fs');
const path = require('path');
const fx = (n) => fs.readFileSync(path.join(__dirname, '..', '..', '..', 'testdata', n));

// Each scenario: server and client options beyond key/cert and ca.
exports.scenarios = [
  { name: 'default-tls13', server: {}, client: {} },
  { name: 'tls12-ecdhe-rsa', server: {}, client: { maxVersion: 'TLSv1.2' } },
  { name: 'tls12-aes128-sha256-rsa-kx', server: { ciphers: 'AES128-SHA256' }, client: { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA256' } },
  { name: 'tls12-dhe-2048', server: { dhparam: fx('dh2048.pem'), ciphers: 'DHE-RSA-AES128-GCM-SHA256' }, client: { maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES128-GCM-SHA256' } },
  { name: 'tls12-dhe-1024', server: { dhparam: fx('dh1024.pem'), ciphers: 'DHE-RSA-AES128-GCM-SHA256' }, client: { maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES128-GCM-SHA256' } },
  { name: 'curve-secp384r1', server: { ecdhCurve: 'secp384r1' }, client: { ecdhCurve: 'secp384r1' } },
  { name: 'curve-auto', server: { ecdhCurve: 'auto' }, client: { ecdhCurve: 'auto' } },
  { name: 'honor-order', server: { ciphers: 'AES128-SHA256:AES256-SHA256' }, client: { maxVersion: 'TLSv1.2', ciphers: 'AES256-SHA256:AES128-SHA256' } },
  { name: 'tls12-method', server: {}, client: { secureProtocol: 'TLSv1_2_method' } },
  { name: 'ec-leaf', cert: 'ec-leaf', server: {}, client: {} },
];

exports.fx = fx;

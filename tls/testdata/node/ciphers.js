// ciphers.js records tls.getCiphers() for tls/ciphers_test.go.
// Run: node tls/testdata/node/ciphers.js
'use strict';
const fs = require('fs');
const path = require('path');
const out = { node: process.version, openssl: process.versions.openssl, ciphers: require('tls').getCiphers() };
fs.writeFileSync(path.join(__dirname, 'ciphers.json'), JSON.stringify(out, null, 2) + '\n');

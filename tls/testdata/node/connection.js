// connection.js records what a Node client sees (getProtocol, getCipher,
// getEphemeralKeyInfo, authorized) for each scenario, against a Node
// server with the same fixtures. Output: connection.json, the golden values
// for tls/golden_test.go. Run: node tls/testdata/node/connection.js
'use strict';
const tls = require('tls');
const fs = require('fs');
const path = require('path');
const { fx } = require('./scenarios');

const { scenarios } = require('./scenarios');

function run(sc) {
  return new Promise((resolve) => {
    const role = sc.cert || 'localhost';
    const server = tls.createServer({
      key: fx(role + '-key.pem'), cert: fx(role + '-cert.pem'),
      ecdhCurve: 'prime256v1', ...sc.server,
    }, (s) => { s.on('error', () => {}); s.end(); });
    server.listen(0, '127.0.0.1', () => {
      const c = tls.connect({
        host: '127.0.0.1', port: server.address().port, ca: fx('ca1-cert.pem'),
        servername: 'localhost', ecdhCurve: 'prime256v1', ...sc.client,
      }, () => {
        const cipher = c.getCipher();
        resolve({
          name: sc.name,
          authorized: c.authorized,
          protocol: c.getProtocol(),
          cipher: { name: cipher.name, version: cipher.version },
          ephemeralKeyInfo: c.getEphemeralKeyInfo(),
        });
        c.destroy();
        server.close();
      });
      c.on('error', (e) => { resolve({ name: sc.name, error: e.code }); server.close(); });
    });
  });
}

(async () => {
  const out = { node: process.version, openssl: process.versions.openssl, cases: [] };
  for (const sc of scenarios) out.cases.push(await run(sc));
  fs.writeFileSync(path.join(__dirname, 'connection.json'), JSON.stringify(out, null, 2) + '\n');
})();

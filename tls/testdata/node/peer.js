// peer.js is a live Node peer for the Go interop tests.
//   node peer.js server SCENARIO   serves (echo) with the scenario's server
//                                   options; prints "port N"
//   node peer.js client PORT SCENARIO
//                                   connects with the scenario's client
//                                   options, prints one JSON line of what it
//                                   saw, sends "ping", expects it echoed, ends
'use strict';
const tls = require('tls');
const { scenarios, fx } = require('./scenarios');

const [mode, a, b] = process.argv.slice(2);
if (mode === 'server') {
  const sc = scenarios.find((s) => s.name === a);
  const role = sc.cert || 'localhost';
  const server = tls.createServer({
    key: fx(role + '-key.pem'), cert: fx(role + '-cert.pem'),
    ecdhCurve: 'prime256v1', ...sc.server,
  }, (s) => { s.on('error', () => {}); s.pipe(s); });
  server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
} else {
  const sc = scenarios.find((s) => s.name === b);
  const c = tls.connect({
    host: '127.0.0.1', port: Number(a), ca: fx('ca1-cert.pem'),
    servername: 'localhost', ecdhCurve: 'prime256v1', ...sc.client,
  }, () => {
    const cipher = c.getCipher();
    console.log(JSON.stringify({
      name: sc.name, authorized: c.authorized, protocol: c.getProtocol(),
      cipher: { name: cipher.name, version: cipher.version },
      ephemeralKeyInfo: c.getEphemeralKeyInfo(),
    }));
    c.write('ping');
    c.once('data', (d) => { console.log('echo ' + d.toString()); c.end(); });
  });
  c.on('error', (e) => { console.log(JSON.stringify({ name: sc.name, error: e.code })); process.exit(1); });
}

// verifypeer.js is the live Node peer of tls/verify_test.go, driven by the
// cases of verify.json (all cases in one process).
//   node verifypeer.js servers
//       serves each case's client-direction certificate (as verify.js's
//       Node server does) and prints one JSON line {case: port}; ends when
//       stdin closes.
//   node verifypeer.js clients '{"case": port, ...}'
//       verifies each of our servers as verify.js's Node client does
//       (rejectUnauthorized false) and prints {case: {authorized,
//       authorizationError}}.
//   node verifypeer.js presenters '{"case": port, ...}'
//       connects to each of our requestCert servers presenting the case's
//       server-direction certificate, sends "x" and waits for the close;
//       prints "done".
'use strict';
const tls = require('tls');
const fs = require('fs');
const path = require('path');

const fx = (n) => fs.readFileSync(path.join(__dirname, '..', '..', '..', 'testdata', n));
const list = (v) => (v == null ? undefined : v.map(fx));
const { cases } = JSON.parse(fs.readFileSync(path.join(__dirname, 'verify.json')));
const [mode, arg] = process.argv.slice(2);

function presenter(side) {
  const o = { ecdhCurve: 'prime256v1', ...side.presenterOptions };
  if (side.cert) { o.cert = fx(side.cert); o.key = fx(side.key); }
  if (side.presenterCa) o.ca = list(side.presenterCa);
  return o;
}

async function main() {
  if (mode === 'servers') {
    const ports = {};
    for (const c of cases) {
      if (!c.client) continue;
      const srv = tls.createServer(presenter(c.client), (s) => { s.on('error', () => {}); s.end(); });
      srv.on('tlsClientError', () => {});
      await new Promise((r) => srv.listen(0, '127.0.0.1', r));
      ports[c.name] = srv.address().port;
    }
    console.log(JSON.stringify(ports));
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
    return;
  }
  const ports = JSON.parse(arg);
  const out = {};
  for (const c of cases) {
    if (!(c.name in ports)) continue;
    await new Promise((resolve) => {
      let o;
      if (mode === 'clients') {
        const side = c.client;
        o = { host: '127.0.0.1', port: ports[c.name], servername: side.servername, ecdhCurve: 'prime256v1',
              rejectUnauthorized: false, ...side.verifierOptions };
        if (side.ca != null) o.ca = list(side.ca);
        if (side.crl != null) o.crl = list(side.crl);
      } else {
        o = { host: '127.0.0.1', port: ports[c.name], servername: 'localhost', rejectUnauthorized: false,
              ...presenter(c.server) };
      }
      const timer = setTimeout(() => { if (!(c.name in out)) out[c.name] = { error: 'timeout' }; s.destroy(); resolve(); }, 30000);
      const s = tls.connect(o, () => {
        if (mode === 'clients') {
          out[c.name] = { authorized: s.authorized, authorizationError: s.authorizationError || null };
          s.end();
        } else {
          s.write('x');
        }
      });
      s.on('data', () => {});
      s.on('error', (e) => { if (mode === 'clients') out[c.name] = { error: e.code }; });
      s.on('close', () => { clearTimeout(timer); resolve(); });
      if (mode === 'presenters') s.on('data', () => s.end());
    });
  }
  console.log(mode === 'clients' ? JSON.stringify(out) : 'done');
}
main();

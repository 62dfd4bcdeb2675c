// verify.js records, for each certificate-verification case, what real Node
// TLS reports in both directions over 127.0.0.1. Output: verify.json, the
// golden values for the X509_V_ERR_* -> authorizationError tests.
// Run: node tls/testdata/node/verify.js
//
// Directions (fixture names are relative to testdata/):
//  client  A Node server serves the case's cert (+ chain) and key; a Node
//          client verifies it with the case's ca / crl:
//            lenient: rejectUnauthorized:false -> authorized, authorizationError
//            strict:  rejectUnauthorized:true  -> error code and message
//  server  A Node server (localhost-cert.pem) with requestCert:true,
//          rejectUnauthorized:false and the case's ca / crl; a Node client
//          presents the case's cert (+ chain) and key as its client
//          certificate (none when cert is null). Recorded on the server's
//          'secureConnection' socket: authorized, authorizationError, and
//          verifyError (code and message of socket._handle.verifyError(), a
//          Node internal; the message is OpenSSL's
//          X509_verify_cert_error_string).
//
// ca: null means the option is omitted (Node's bundled root store); [] means
// an empty list (nothing trusted); otherwise the files are passed as an array
// of Buffers. crl likewise (null: option omitted). verifierOptions are extra
// options for the verifying side (the client in "client", the server in
// "server"), presenterOptions for the side that presents the certificate.
// presenterCa is the presenting side's own ca option (null: omitted, i.e.
// Node's bundled roots, which hold none of the test CAs): OpenSSL's
// automatic chain building appends the issuers it finds there to the chain
// sent (see the auto-chain cases). servername is chosen to match each served certificate, so Node's
// default checkServerIdentity is used ("checkServerIdentity": "default");
// Node only runs it when the chain verified, so it cannot mask a chain error.
// A case may set checkServerIdentity: "noop" (() => undefined) instead.
//
// The script exits non-zero if any direction did not give the intended code
// ("want"). Every connection has a 5 s timeout and the whole run 60 s.
'use strict';
const tls = require('tls');
const fs = require('fs');
const path = require('path');
const { fx } = require('./scenarios');

const TIMEOUT_MS = 5000;

// both(cert, key, opts): the same fixtures in both directions.
function both(cert, key, o = {}) {
  const ca = o.ca === undefined ? ['ca1-cert.pem'] : o.ca;
  const crl = o.crl === undefined ? null : o.crl;
  const v = o.verifierOptions || {};
  const p = o.presenterOptions || {};
  const pca = o.presenterCa === undefined ? null : o.presenterCa;
  return {
    client: {
      cert, key, ca, crl, servername: o.servername || 'localhost',
      checkServerIdentity: o.checkServerIdentity || 'default',
      verifierOptions: v, presenterOptions: p, presenterCa: pca,
    },
    server: { cert, key, ca, crl, verifierOptions: v, presenterOptions: p, presenterCa: pca },
  };
}

const cases = [
  // --- Controls: chains that verify. -----------------------------------------
  { name: 'ok', want: { client: null, server: null },
    note: 'localhost leaf by ca1, ca1 trusted',
    ...both('localhost-cert.pem', 'localhost-key.pem') },
  { name: 'ok-ca-bundle', want: { client: null, server: null },
    note: 'ca is one PEM holding ca1 and ca2',
    ...both('localhost-cert.pem', 'localhost-key.pem', { ca: ['ca1-ca2.pem'] }) },
  { name: 'ok-intermediate', want: { client: null, server: null },
    note: 'agent6 + ca3 chain sent, root ca1 trusted',
    ...both('agent6-chain.pem', 'agent6-key.pem', { servername: 'agent6' }) },
  { name: 'ok-crl', want: { client: null, server: null },
    note: 'CRL checking on (ca1-crl.pem), leaf not revoked',
    ...both('localhost-cert.pem', 'localhost-key.pem', { crl: ['ca1-crl.pem'] }) },

  // --- Node's table (X509ErrorCode). ------------------------------------------
  { name: 'UNABLE_TO_GET_ISSUER_CERT', want: { client: undefined, server: 'UNABLE_TO_GET_ISSUER_CERT' },
    note: 'server direction only: requestCert and the client sends no certificate ' +
      '(Node\'s VerifyPeerCertificate default; a server always sends one)',
    client: null,
    server: {
      cert: null, key: null, ca: ['ca1-cert.pem'], crl: null,
      verifierOptions: {}, presenterOptions: {}, presenterCa: null,
    } },
  { name: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', want: { client: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', server: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
    note: 'agent6 + ca3 chain sent, nothing trusted (ca: [])',
    ...both('agent6-chain.pem', 'agent6-key.pem', { ca: [], servername: 'agent6' }) },
  { name: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', want: { client: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', server: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    note: 'agent1 (by ca1) alone, ca option omitted (Node\'s bundled roots)',
    ...both('agent1-cert.pem', 'agent1-key.pem', { ca: null, servername: 'agent1' }) },
  { name: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE-wrong-ca', want: { client: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', server: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    note: 'agent1 (by ca1) alone, only ca2 trusted',
    ...both('agent1-cert.pem', 'agent1-key.pem', { ca: ['ca2-cert.pem'], servername: 'agent1' }) },
  { name: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE-missing-intermediate', want: { client: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', server: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    note: 'agent6 sent without ca3, root ca1 trusted',
    ...both('agent6-cert.pem', 'agent6-key.pem', { servername: 'agent6' }) },
  { name: 'DEPTH_ZERO_SELF_SIGNED_CERT', want: { client: 'DEPTH_ZERO_SELF_SIGNED_CERT', server: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    note: 'self-signed agent2, ca1 trusted',
    ...both('agent2-cert.pem', 'agent2-key.pem', { servername: 'agent2' }) },
  { name: 'SELF_SIGNED_CERT_IN_CHAIN', want: { client: 'SELF_SIGNED_CERT_IN_CHAIN', server: 'SELF_SIGNED_CERT_IN_CHAIN' },
    note: 'agent6 + ca3 + ca1 sent, nothing trusted (ca: [])',
    ...both('agent6-fullchain.pem', 'agent6-key.pem', { ca: [], servername: 'agent6' }) },
  { name: 'SELF_SIGNED_CERT_IN_CHAIN-auto-chain', want: { client: 'SELF_SIGNED_CERT_IN_CHAIN', server: 'SELF_SIGNED_CERT_IN_CHAIN' },
    note: 'agent1 alone, but the presenting side has ca1 in its own ca option, so OpenSSL\'s ' +
      'automatic chain building sends agent1 + ca1; the verifier omits ca (bundled roots)',
    ...both('agent1-cert.pem', 'agent1-key.pem', { ca: null, servername: 'agent1', presenterCa: ['ca1-cert.pem'] }) },
  { name: 'ok-auto-chain', want: { client: null, server: null },
    note: 'agent6 alone, presenting side has ca3 in its ca option: auto-chain sends agent6 + ca3',
    ...both('agent6-cert.pem', 'agent6-key.pem', { servername: 'agent6', presenterCa: ['ca3-cert.pem'] }) },
  { name: 'CERT_HAS_EXPIRED', want: { client: 'CERT_HAS_EXPIRED', server: 'CERT_HAS_EXPIRED' },
    ...both('expired-cert.pem', 'expired-key.pem') },
  { name: 'CERT_NOT_YET_VALID', want: { client: 'CERT_NOT_YET_VALID', server: 'CERT_NOT_YET_VALID' },
    ...both('notyet-cert.pem', 'notyet-key.pem') },
  { name: 'CERT_REVOKED', want: { client: 'CERT_REVOKED', server: 'CERT_REVOKED' },
    ...both('revoked-cert.pem', 'revoked-key.pem', { crl: ['ca1-crl.pem'] }) },
  { name: 'UNABLE_TO_GET_CRL', want: { client: 'UNABLE_TO_GET_CRL', server: 'UNABLE_TO_GET_CRL' },
    note: 'CRL checking on with only ca2\'s CRL; the leaf is by ca1',
    ...both('localhost-cert.pem', 'localhost-key.pem', { ca: ['ca1-ca2.pem'], crl: ['ca2-crl.pem'] }) },
  { name: 'CRL_HAS_EXPIRED', want: { client: 'CRL_HAS_EXPIRED', server: 'CRL_HAS_EXPIRED' },
    note: 'ca1 CRL with nextUpdate 2020-01-02',
    ...both('localhost-cert.pem', 'localhost-key.pem', { crl: ['ca1-crl-expired.pem'] }) },
  { name: 'INVALID_CA', want: { client: 'INVALID_CA', server: 'INVALID_CA' },
    note: 'notca-leaf + notca sent, root ca1 trusted; notca has no basicConstraints (keyUsage keyCertSign), ' +
      'so only the CA check fails',
    ...both('notca-leaf-chain.pem', 'notca-leaf-key.pem') },
  { name: 'INVALID_PURPOSE-ca-false-intermediate', want: { client: 'INVALID_PURPOSE', server: 'INVALID_PURPOSE' },
    note: 'cafalse-leaf + cafalse (CA:FALSE) sent, root ca1 trusted: OpenSSL reports INVALID_CA and then ' +
      'INVALID_PURPOSE at depth 1; Node\'s callback continues, so the last error is the result',
    ...both('cafalse-leaf-chain.pem', 'cafalse-leaf-key.pem') },
  { name: 'PATH_LENGTH_EXCEEDED', want: { client: 'PATH_LENGTH_EXCEEDED', server: 'PATH_LENGTH_EXCEEDED' },
    note: 'pathlen0-leaf + pathlen0-sub + pathlen0 (pathlen:0) sent, root ca1 trusted',
    ...both('pathlen0-leaf-chain.pem', 'pathlen0-leaf-key.pem') },
  { name: 'INVALID_PURPOSE-clientauth-only', want: { client: 'INVALID_PURPOSE', server: null },
    note: 'client1 has EKU clientAuth only: rejected as a server cert, fine as a client cert',
    ...both('client1-cert.pem', 'client1-key.pem', { servername: 'client1' }) },
  { name: 'INVALID_PURPOSE-serverauth-only', want: { client: null, server: 'INVALID_PURPOSE' },
    note: 'serverauth has EKU serverAuth only: fine as a server cert, rejected as a client cert',
    ...both('serverauth-cert.pem', 'serverauth-key.pem') },
  { name: 'CERT_SIGNATURE_FAILURE', want: { client: 'CERT_SIGNATURE_FAILURE', server: 'CERT_SIGNATURE_FAILURE' },
    note: 'localhost cert with one signature byte inverted (testdata/badsig)',
    ...both('badsig-cert.pem', 'localhost-key.pem') },

  // --- Results outside Node's table: UNSPECIFIED. ----------------------------
  { name: 'UNSPECIFIED-sha1', want: { client: 'UNSPECIFIED', server: 'UNSPECIFIED' },
    note: 'SHA-1 signed leaf: X509_V_ERR_CA_MD_TOO_WEAK (68) at Node\'s default security level 1; the presenting ' +
      'side needs @SECLEVEL=0 to load the certificate at all (else ERR_SSL_CA_MD_TOO_WEAK from createSecureContext)',
    ...both('sha1-cert.pem', 'sha1-key.pem', { presenterOptions: { ciphers: 'DEFAULT:@SECLEVEL=0' } }) },
  { name: 'ok-sha1-seclevel0', want: { client: null, server: null },
    note: 'the same SHA-1 leaf is accepted when the verifier also runs at @SECLEVEL=0',
    ...both('sha1-cert.pem', 'sha1-key.pem', {
      presenterOptions: { ciphers: 'DEFAULT:@SECLEVEL=0' }, verifierOptions: { ciphers: 'DEFAULT:@SECLEVEL=0' },
    }) },
  { name: 'UNSPECIFIED-ee-key-too-small', want: { client: 'UNSPECIFIED', server: 'UNSPECIFIED' },
    note: '1024-bit RSA leaf with the verifier at @SECLEVEL=2: X509_V_ERR_EE_KEY_TOO_SMALL (66)',
    ...both('rsa1024-cert.pem', 'rsa1024-key.pem', { verifierOptions: { ciphers: 'DEFAULT:@SECLEVEL=2' } }) },
  { name: 'UNSPECIFIED-critical-extension', want: { client: 'UNSPECIFIED', server: 'UNSPECIFIED' },
    note: 'unknown critical extension 1.3.6.1.4.1.32473.1: X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION (34)',
    ...both('critext-cert.pem', 'critext-key.pem') },
];

const readAll = (names) => (names === null ? undefined : names.map(fx));

function errInfo(e) {
  return { code: e.code === undefined ? null : e.code, message: e.message };
}

// withServer starts a TLS server, runs fn(port, server, done) and resolves
// with what done() got, or {timeout: true}; everything is closed afterwards.
function withServer(serverOpts, onSecure, fn) {
  return new Promise((resolve) => {
    const sockets = new Set();
    let finished = false;
    let timer;
    const server = tls.createServer(serverOpts, (s) => {
      s.on('error', () => {});
      onSecure(s);
      s.end();
    });
    const done = (v) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      server.close(() => resolve(v));
    };
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    server.on('error', (e) => done({ serverError: errInfo(e) }));
    timer = setTimeout(() => done({ timeout: true }), TIMEOUT_MS);
    server.listen(0, '127.0.0.1', () => fn(server.address().port, done));
  });
}

function clientDirection(d, rejectUnauthorized) {
  const serverOpts = { key: fx(d.key), cert: fx(d.cert), ecdhCurve: 'prime256v1', ...d.presenterOptions };
  if (d.presenterCa !== null) serverOpts.ca = readAll(d.presenterCa);
  return withServer(serverOpts, () => {}, (port, done) => {
    const opts = {
      host: '127.0.0.1', port, servername: d.servername, rejectUnauthorized,
      ecdhCurve: 'prime256v1', ...d.verifierOptions,
    };
    if (d.ca !== null) opts.ca = readAll(d.ca);
    if (d.crl !== null) opts.crl = readAll(d.crl);
    if (d.checkServerIdentity === 'noop') opts.checkServerIdentity = () => undefined;
    const c = tls.connect(opts, () => {
      const r = rejectUnauthorized ?
        { connected: true, authorized: c.authorized } :
        { authorized: c.authorized, authorizationError: c.authorizationError === undefined ? null : c.authorizationError };
      c.destroy();
      done(r);
    });
    c.on('error', (e) => { c.destroy(); done({ error: errInfo(e) }); });
  });
}

function serverDirection(d) {
  let seen = null;
  const serverOpts = {
    key: fx('localhost-key.pem'), cert: fx('localhost-cert.pem'),
    requestCert: true, rejectUnauthorized: false, ecdhCurve: 'prime256v1', ...d.verifierOptions,
  };
  if (d.ca !== null) serverOpts.ca = readAll(d.ca);
  if (d.crl !== null) serverOpts.crl = readAll(d.crl);
  return withServer(serverOpts, (s) => {
    const ve = s._handle && s._handle.verifyError();
    seen = {
      authorized: s.authorized,
      authorizationError: s.authorizationError === undefined ? null : s.authorizationError,
      verifyError: ve ? errInfo(ve) : null,
    };
  }, (port, done) => {
    const opts = {
      host: '127.0.0.1', port, servername: 'localhost',
      rejectUnauthorized: false, ecdhCurve: 'prime256v1', ...d.presenterOptions,
    };
    if (d.presenterCa !== null) opts.ca = readAll(d.presenterCa);
    if (d.cert !== null) { opts.cert = fx(d.cert); opts.key = fx(d.key); }
    const c = tls.connect(opts, () => {
      // TLS 1.3: the server finishes after the client, so wait for it.
      const poll = () => (seen ? done(seen) : setTimeout(poll, 5));
      poll();
    });
    c.on('data', () => {});
    c.on('end', () => { if (seen) done(seen); });
    c.on('error', (e) => { if (seen) done(seen); else done({ clientError: errInfo(e) }); });
  });
}

// code picks the observed verification code of one direction (null: authorized).
function observed(dir, r) {
  if (dir === 'client') return r.lenient.authorizationError;
  return r.authorizationError === undefined ? '?' : r.authorizationError;
}

(async () => {
  const watchdog = setTimeout(() => { console.error('verify.js: overall timeout'); process.exit(2); }, 60000);
  const out = {
    node: process.version,
    openssl: process.versions.openssl,
    notes: [
      'Generated by tls/testdata/node/verify.js; fixture names are relative to testdata/.',
      'client: Node server serves cert/key; Node client verifies with ca/crl (null: option omitted, []: empty list). ' +
        'lenient = rejectUnauthorized:false (authorized, authorizationError); strict = rejectUnauthorized:true (error code/message).',
      'server: Node server (localhost-cert.pem) with requestCert:true, rejectUnauthorized:false and ca/crl; ' +
        'Node client presents cert/key (cert null: no client certificate). verifyError is socket._handle.verifyError().',
      'servername matches every served certificate and checkServerIdentity is Node\'s default unless a case says "noop"; ' +
        'Node runs it only when the chain verified.',
      'verifierOptions / presenterOptions are extra options of the verifying / presenting side; presenterCa is the ' +
        'presenting side\'s ca option (null: omitted), from which OpenSSL auto-chains issuers into the chain it sends.',
      'want is the code each direction was meant to produce (null: authorized); a direction that is null was not run.',
      'ecdhCurve prime256v1 on both sides; default protocol range.',
    ],
    cases: [],
  };
  let bad = 0;
  for (const c of cases) {
    const entry = { name: c.name, note: c.note || null, want: { client: c.want.client === undefined ? null : c.want.client, server: c.want.server } };
    if (c.client) {
      const lenient = await clientDirection(c.client, false);
      const strict = await clientDirection(c.client, true);
      entry.client = { ...c.client, lenient, strict };
      const got = observed('client', entry.client);
      const wantCode = c.want.client;
      const strictCode = strict.error ? strict.error.code : null;
      if (got !== wantCode || strictCode !== wantCode) {
        bad++;
        console.error(`${c.name} client: want ${wantCode}, lenient ${JSON.stringify(lenient)} strict ${JSON.stringify(strict)}`);
      }
    } else {
      entry.client = null;
    }
    if (c.server) {
      const r = await serverDirection(c.server);
      entry.server = { ...c.server, result: r };
      if (observed('server', r) !== c.want.server) {
        bad++;
        console.error(`${c.name} server: want ${c.want.server}, got ${JSON.stringify(r)}`);
      }
    } else {
      entry.server = null;
    }
    out.cases.push(entry);
  }
  fs.writeFileSync(path.join(__dirname, 'verify.json'), JSON.stringify(out, null, 2) + '\n');
  clearTimeout(watchdog);
  if (bad) {
    console.error(`verify.js: ${bad} direction(s) did not give the intended code`);
    process.exitCode = 1;
  }
})();

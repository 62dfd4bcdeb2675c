// Generates peercert.json: what Node 20's getPeerCertificate() reports for
// certificates, for the Go tests of newPeerCertificate / buildPeerChain*.
//
//   node tls/testdata/node/peercert.js
//
// Three kinds of cases:
//   * "tls": a real node TLS server on 127.0.0.1 presents a fixture from the
//     repository's testdata/ (key <role>-key.pem, cert chain as in the PEM
//     file); a node client with rejectUnauthorized:false and a given `ca`
//     list records getPeerCertificate() and getPeerCertificate(true).
//   * "tls-synthetic": the same with chains built here, to pin down how
//     Node links issuerCertificate (name matching, key identifiers, key
//     usage, signature algorithms, the local store).
//   * "x509": certificates built here with unusual contents (serials,
//     times, name string types, alternative names, keys), described with
//     X509Certificate#toLegacyObject(), which is the same X509ToObject code;
//     the script checks that on every fixture first.
//
// Every case stores the DER it used (chain as sent, store as trusted), so
// the Go test does not depend on the fixtures staying the same. Buffers are
// base64. Node points a self-issued root's issuerCertificate at itself; that
// cycle is dropped and recorded as "cycleAt" (the depth of that root).
'use strict';

const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const tls = require('tls');

const fixtures = path.join(__dirname, '..', '..', '..', 'testdata');
const readFixture = (f) => fs.readFileSync(path.join(fixtures, f), 'latin1');

function pemBlocks(pem) {
  const out = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  let m;
  while ((m = re.exec(pem)) !== null) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return out;
}
const toPEM = (der) => '-----BEGIN CERTIFICATE-----\n' +
  der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n') +
  '-----END CERTIFICATE-----\n';

// serialize turns a Node certificate object into plain JSON data.
function serialize(c) {
  let cycleAt = null;
  const walk = (o, depth) => {
    const r = {};
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (k === 'issuerCertificate') {
        if (v === o) { cycleAt = depth; continue; }
        r[k] = walk(v, depth + 1);
      } else if (Buffer.isBuffer(v)) {
        r[k] = v.toString('base64');
      } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        r[k] = Object.assign({}, v);
      } else {
        r[k] = v;
      }
    }
    return r;
  };
  const obj = walk(c, 0);
  return { obj, cycleAt };
}

// --- DER building --------------------------------------------------------------
function len(n) {
  if (n < 0x80) return Buffer.from([n]);
  const b = [];
  while (n > 0) { b.unshift(n & 0xff); n >>= 8; }
  return Buffer.from([0x80 | b.length, ...b]);
}
const tlv = (tag, ...parts) => {
  const body = Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p, 'latin1'))));
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...p) => tlv(0x30, ...p);
const set = (...p) => tlv(0x31, ...p);
const oid = (s) => {
  const a = s.split('.').map(Number);
  const out = [40 * a[0] + a[1]];
  for (const n of a.slice(2)) {
    const b = [n & 0x7f];
    let m = Math.floor(n / 128);
    while (m > 0) { b.unshift(0x80 | (m & 0x7f)); m = Math.floor(m / 128); }
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
};
const intRaw = (hex) => tlv(0x02, Buffer.from(hex, 'hex'));
const utf8 = (s) => tlv(0x0c, Buffer.from(s, 'utf8'));
const printable = (s) => tlv(0x13, s);
const ia5 = (s) => tlv(0x16, s);
const t61 = (s) => tlv(0x14, Buffer.from(s, 'latin1'));
const numeric = (s) => tlv(0x12, s);
const bmp = (s) => tlv(0x1e, Buffer.from(s, 'utf16le').swap16());
const univ = (s) => {
  const cps = [...s].map((ch) => ch.codePointAt(0));
  const b = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => b.writeUInt32BE(cp, 4 * i));
  return tlv(0x1c, b);
};
const octet = (b) => tlv(0x04, b);
const bool = (v) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const NULL = Buffer.from([0x05, 0x00]);
const ctx = (n, constructed, ...p) => tlv((constructed ? 0xa0 : 0x80) | n, ...p);
const utc = (s) => tlv(0x17, s);
const gen = (s) => tlv(0x18, s);
const bits = (b, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));

const A = {
  CN: '2.5.4.3', C: '2.5.4.6', L: '2.5.4.7', ST: '2.5.4.8', O: '2.5.4.10', OU: '2.5.4.11',
  email: '1.2.840.113549.1.9.1', DC: '0.9.2342.19200300.100.1.25', UID: '0.9.2342.19200300.100.1.1',
};
// name([[ [oid, value], ...], ...]): a list of RDNs, each a list of attributes.
const name = (rdns) => seq(...rdns.map((rdn) => set(...rdn.map(([o, v]) => seq(oid(o), v)))));
const simpleName = (cn, o = 'Test') => name([[[A.C, printable('US')]], [[A.O, utf8(o)]], [[A.CN, utf8(cn)]]]);
const ext = (o, critical, value) => seq(oid(o), ...(critical ? [bool(true)] : []), octet(value));
const E = {
  bc: (ca, pathlen) => ext('2.5.29.19', true, seq(...(ca ? [bool(true)] : []), ...(pathlen !== undefined ? [tlv(0x02, Buffer.from([pathlen]))] : []))),
  ku: (byte0, byte1) => ext('2.5.29.15', true, bits(Buffer.from(byte1 === undefined ? [byte0] : [byte0, byte1]), byte1 === undefined ? 1 : 7)),
  ski: (id) => ext('2.5.29.14', false, octet(id)),
  akid: (id) => ext('2.5.29.35', false, seq(ctx(0, false, id))),
  san: (...gns) => ext('2.5.29.17', false, seq(...gns)),
  aia: (...descs) => ext('1.3.6.1.5.5.7.1.1', false, seq(...descs.map(([m, gn]) => seq(oid(m), gn)))),
  eku: (...oids) => ext('2.5.29.37', false, seq(...oids.map(oid))),
};
const GN = {
  dns: (s) => tlv(0x82, Buffer.from(s, 'latin1')),
  email: (s) => tlv(0x81, Buffer.from(s, 'latin1')),
  uri: (s) => tlv(0x86, Buffer.from(s, 'latin1')),
  ip: (hex) => tlv(0x87, Buffer.from(hex, 'hex')),
  dir: (nm) => ctx(4, true, nm),
  rid: (o) => tlv(0x88, oid(o).subarray(2)),
  other: (o, v) => ctx(0, true, oid(o), ctx(0, true, v)),
  x400: () => ctx(3, true),
  edi: (s) => ctx(5, true, ctx(1, true, utf8(s))),
};

const spkiOf = (keyObj) => keyObj.export({ type: 'spki', format: 'der' });
function signerInfo(privateKey) {
  const t = privateKey.asymmetricKeyType;
  if (t === 'ec') return { alg: seq(oid('1.2.840.10045.4.3.2')), sign: (d) => crypto.sign('sha256', d, privateKey) };
  if (t === 'rsa') return { alg: seq(oid('1.2.840.113549.1.1.11'), NULL), sign: (d) => crypto.sign('sha256', d, privateKey) };
  if (t === 'ed25519') return { alg: seq(oid('1.3.101.112')), sign: (d) => crypto.sign(null, d, privateKey) };
  throw new Error('signer ' + t);
}

// makeCert builds and signs a v3 certificate.
function makeCert(o) {
  const s = signerInfo(o.signKey);
  const sigAlg = o.sigAlg || s.alg;
  const tbs = seq(
    ctx(0, true, tlv(0x02, Buffer.from([2]))),
    o.serial || intRaw('0123456789abcdef'),
    sigAlg,
    o.issuer,
    seq(o.notBefore || utc('250101000000Z'), o.notAfter || gen('21250101000000Z')),
    o.subject,
    o.spki,
    ...(o.exts && o.exts.length ? [ctx(3, true, seq(...o.exts))] : []),
  );
  return seq(tbs, sigAlg, bits(s.sign(tbs)));
}

const ecKey = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

// --- cases ---------------------------------------------------------------------
const cases = [];

function recordX509(caseName, der, note) {
  let obj;
  try {
    obj = new crypto.X509Certificate(der).toLegacyObject();
  } catch (e) {
    cases.push({ name: caseName, source: 'x509', note, chain: [der.toString('base64')], parseError: e.message });
    return;
  }
  const { obj: s } = serialize(obj);
  cases.push({ name: caseName, source: 'x509', note, chain: [der.toString('base64')], abbreviated: s });
}

function tlsCase(caseName, keyPem, chainDers, storeDers, note) {
  return new Promise((resolve, reject) => {
    const server = tls.createServer({
      key: keyPem,
      cert: chainDers.map(toPEM).join(''),
      ciphers: 'DEFAULT:@SECLEVEL=0',
    }, (s) => { s.on('error', () => {}); s.end(); });
    server.on('tlsClientError', () => {});
    server.listen(0, '127.0.0.1', () => {
      const client = tls.connect({
        port: server.address().port,
        host: '127.0.0.1',
        rejectUnauthorized: false,
        ca: storeDers.map(toPEM),
        ciphers: 'DEFAULT:@SECLEVEL=0',
      }, () => {
        const detailed = serialize(client.getPeerCertificate(true));
        const abbreviated = serialize(client.getPeerCertificate());
        assert.strictEqual(abbreviated.obj.issuerCertificate, undefined);
        // toLegacyObject must describe the leaf exactly as the TLS path.
        const legacy = serialize(new crypto.X509Certificate(chainDers[0]).toLegacyObject()).obj;
        assert.deepStrictEqual(legacy, abbreviated.obj, `${caseName}: toLegacyObject differs`);
        cases.push({
          name: caseName,
          source: note && note.startsWith('synthetic') ? 'tls-synthetic' : 'tls',
          note,
          chain: chainDers.map((d) => d.toString('base64')),
          store: storeDers.map((d) => d.toString('base64')),
          authorizationError: client.authorizationError ? String(client.authorizationError.code || client.authorizationError) : null,
          abbreviated: abbreviated.obj,
          detailed: detailed.obj,
          cycleAt: detailed.cycleAt,
        });
        client.end();
        server.close();
        resolve();
      });
      client.on('error', (e) => { server.close(); reject(new Error(caseName + ': ' + e.message)); });
    });
  });
}

async function fixtureCases() {
  const f = (role, opts = {}) => ({
    name: opts.name || role,
    key: readFixture(`${role}-key.pem`),
    chain: pemBlocks(readFixture(opts.cert || `${role}-cert.pem`)),
    store: (opts.ca || ['ca1-cert.pem']).flatMap((c) => pemBlocks(readFixture(c))),
    note: opts.note,
  });
  const list = [
    f('agent1', { note: 'RSA leaf with AIA and EKU; ca1 from the local store' }),
    f('agent1', { name: 'agent1-nostore', ca: [], note: 'no issuer anywhere: issuerCertificate absent' }),
    f('agent1', { name: 'agent1-bundle', ca: ['ca1-ca2.pem'], note: 'store with two roots' }),
    f('agent2', { ca: [], note: 'self-signed leaf' }),
    f('agent3', { ca: ['ca2-cert.pem'], note: 'SAN DNS:agent3, ca2' }),
    f('agent4', { ca: ['ca2-cert.pem'], note: 'EKU clientAuth' }),
    f('agent6', { cert: 'agent6-chain.pem', note: 'agent6 -> ca3 (presented) -> ca1 (store)' }),
    f('agent6', { name: 'agent6-leafonly', cert: 'agent6-cert.pem', ca: ['ca1-cert.pem', 'ca3-cert.pem'], note: 'agent6 alone; ca3 and ca1 from the store' }),
    f('localhost', { note: 'IPv6 SAN' }),
    f('ipcn', { note: 'IP-only SAN' }),
    f('multi', { note: 'repeated OU and CN' }),
    f('client1', { note: 'EKU clientAuth only' }),
    f('ec', { ca: [], note: 'self-signed P-256' }),
    f('ec-leaf', { note: 'P-256 leaf by RSA ca1' }),
    f('ed25519', { ca: [], note: 'Ed25519: no key fields' }),
    f('expired', { note: 'expired 2020' }),
    f('notyet', { note: 'valid from 2090' }),
    f('revoked', { note: 'revoked leaf' }),
    f('rsa1024', { note: '1024-bit RSA' }),
    f('pass', { ca: [], note: 'self-signed, encrypted key fixture' }),
  ];
  // agent6 with its chain presented out of order, root included.
  const a6 = pemBlocks(readFixture('agent6-cert.pem'))[0];
  const ca1 = pemBlocks(readFixture('ca1-cert.pem'))[0];
  const ca3 = pemBlocks(readFixture('ca3-cert.pem'))[0];
  list.push({ name: 'agent6-scrambled', key: readFixture('agent6-key.pem'), chain: [a6, ca1, ca3], store: [], note: 'chain sent as agent6, ca1, ca3; nothing trusted' });
  list.push({ name: 'agent6-duplicate', key: readFixture('agent6-key.pem'), chain: [a6, ca3, ca3, ca1], store: [ca1], note: 'ca3 sent twice and ca1 sent too' });
  for (const c of list) {
    if (c.name === 'pass') c.key = readFixture('raw-key.pem');
    await tlsCase(c.name, c.key, c.chain, c.store, c.note);
  }
}

async function syntheticChainCases() {
  const leafKey = ecKey();
  const caKey = ecKey();
  const rsaCA = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const leafPem = leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const leafOf = (issuerName, exts = [], sigKey = caKey.privateKey, sigAlg) => makeCert({
    signKey: sigKey, sigAlg, issuer: issuerName, subject: simpleName('leaf.example'),
    spki: spkiOf(leafKey.publicKey), exts: [E.bc(false), E.san(GN.dns('leaf.example')), ...exts],
  });
  const caOf = (nm, { key = caKey, exts, notBefore, notAfter, issuer, signKey } = {}) => makeCert({
    signKey: signKey || key.privateKey, issuer: issuer || nm, subject: nm, spki: spkiOf(key.publicKey),
    exts: exts || [E.bc(true), E.ku(0x06)], notBefore, notAfter,
  });

  // Name matching is X509_NAME_cmp: case, white space and string type do not count.
  const caNameA = name([[[A.C, printable('US')]], [[A.O, utf8('Test')]], [[A.CN, utf8('Case  CA')]]]);
  const caNameB = name([[[A.C, utf8('us')]], [[A.O, printable('  TEST ')]], [[A.CN, printable('case ca')]]]);
  await tlsCase('syn-name-canon', leafPem, [leafOf(caNameB), caOf(caNameA)], [], 'synthetic: issuer name differs only in case, spaces and string type');

  // A different name does not link.
  await tlsCase('syn-name-differs', leafPem, [leafOf(simpleName('Other CA')), caOf(simpleName('Some CA'))], [], 'synthetic: issuer name differs');

  // authorityKeyIdentifier that contradicts the CA's subjectKeyIdentifier.
  const caN = simpleName('Keyed CA');
  await tlsCase('syn-akid-mismatch', leafPem,
    [leafOf(caN, [E.akid(Buffer.alloc(20, 1))]), caOf(caN, { exts: [E.bc(true), E.ku(0x06), E.ski(Buffer.alloc(20, 2))] })],
    [], 'synthetic: AKID keyid differs from the CA SKI');
  await tlsCase('syn-akid-match', leafPem,
    [leafOf(caN, [E.akid(Buffer.alloc(20, 2))]), caOf(caN, { exts: [E.bc(true), E.ku(0x06), E.ski(Buffer.alloc(20, 2))] })],
    [], 'synthetic: AKID keyid equals the CA SKI');

  // A CA whose keyUsage lacks keyCertSign: not linked from the presented
  // chain (X509_check_issued), but found in the store (likely_issued only).
  const kuN = simpleName('NoSign CA');
  const kuCA = caOf(kuN, { exts: [E.bc(true), E.ku(0x80)] });
  await tlsCase('syn-ku-presented', leafPem, [leafOf(kuN), kuCA], [], 'synthetic: presented CA without keyCertSign');
  await tlsCase('syn-ku-store', leafPem, [leafOf(kuN)], [kuCA], 'synthetic: trusted CA without keyCertSign');
  await tlsCase('syn-ku-both', leafPem, [leafOf(kuN), kuCA], [kuCA], 'synthetic: CA without keyCertSign presented and trusted');

  // Signature algorithm of the leaf must fit the CA's key type.
  const rsaN = simpleName('RSA CA');
  const rsaCACert = caOf(rsaN, { key: rsaCA });
  await tlsCase('syn-sigalg-mismatch', leafPem, [leafOf(rsaN), rsaCACert], [], 'synthetic: ECDSA-signed leaf, RSA CA key');
  await tlsCase('syn-sigalg-match', leafPem, [leafOf(rsaN, [], rsaCA.privateKey), rsaCACert], [], 'synthetic: RSA-signed leaf, RSA CA key');

  // Two trusted CAs with the same name: the one valid now wins, else the
  // one that expires last.
  const twinN = simpleName('Twin CA');
  const expiredTwin = caOf(twinN, { notBefore: utc('000101000000Z'), notAfter: utc('100101000000Z') });
  const expiredTwin2 = caOf(twinN, { notBefore: utc('000101000000Z'), notAfter: utc('150101000000Z') });
  const validTwin = caOf(twinN, { notBefore: utc('200101000000Z'), notAfter: gen('21000101000000Z') });
  await tlsCase('syn-twins-valid', leafPem, [leafOf(twinN)], [expiredTwin, validTwin, expiredTwin2], 'synthetic: same-name CAs in the store, one valid');
  await tlsCase('syn-twins-expired', leafPem, [leafOf(twinN)], [expiredTwin, expiredTwin2], 'synthetic: same-name CAs in the store, all expired');

  // Intermediate presented, root trusted, root's keyUsage without
  // keyCertSign: the root is not self-issued for X509_check_issued.
  const rootN = simpleName('Odd Root');
  const interN = simpleName('Inter');
  const rootKey = ecKey();
  const oddRoot = caOf(rootN, { key: rootKey, exts: [E.bc(true), E.ku(0x80)] });
  const inter = caOf(interN, { issuer: rootN, signKey: rootKey.privateKey });
  await tlsCase('syn-odd-root', leafPem, [leafOf(interN), inter], [oddRoot], 'synthetic: trusted root whose keyUsage lacks keyCertSign');
  await tlsCase('syn-odd-root-presented', leafPem, [leafOf(interN), inter, oddRoot], [oddRoot], 'synthetic: same root also presented');

  // Two store certificates that issued each other (Node would loop forever
  // if neither were ever self-issued; here the leaf's issuer is trusted and
  // self-issued, so Node stops).
  const selfLeafKey = leafKey;
  const self = makeCert({ signKey: selfLeafKey.privateKey, issuer: simpleName('leaf.example'), subject: simpleName('leaf.example'), spki: spkiOf(selfLeafKey.publicKey), exts: [E.bc(false), E.ku(0x80)] });
  await tlsCase('syn-self-no-certsign', leafPem, [self], [], 'synthetic: self-signed leaf whose keyUsage lacks keyCertSign');
  await tlsCase('syn-self-no-certsign-trusted', leafPem, [self], [self], 'synthetic: the same, also trusted');
}

function x509Cases() {
  const signer = ecKey();
  const iss = simpleName('Synthetic');
  const base = { signKey: signer.privateKey, issuer: iss, subject: simpleName('x'), spki: spkiOf(signer.publicKey) };
  const mk = (n, o, note) => recordX509(n, makeCert({ ...base, ...o }), note);

  // Serial numbers as BN_bn2hex prints them.
  mk('serial-zero-nibble', { serial: intRaw('0a0b0c') }, 'leading zero nibble is kept');
  mk('serial-pad', { serial: intRaw('0080') }, 'DER padding byte dropped');
  mk('serial-zero', { serial: intRaw('00') }, 'zero');
  mk('serial-one', { serial: intRaw('01') }, 'one');
  mk('serial-negative', { serial: intRaw('fb') }, 'negative (-5)');
  mk('serial-negative-long', { serial: intRaw('ff00') }, 'negative (-256)');
  mk('serial-20', { serial: intRaw('7f' + 'ab'.repeat(19)) }, '20 bytes');
  mk('serial-long', { serial: intRaw('00' + 'ff'.repeat(24)) }, '25 bytes');

  // Times as ASN1_TIME_print prints them.
  mk('time-utc-2049', { notBefore: utc('491231235959Z'), notAfter: utc('500101000000Z') }, 'UTCTime century window');
  mk('time-utc-noseconds', { notBefore: utc('0101011200Z'), notAfter: utc('010101120000+0130') }, 'UTCTime without seconds, with offset');
  mk('time-gen', { notBefore: gen('20500101000000Z'), notAfter: gen('99991231235959Z') }, 'GeneralizedTime');
  mk('time-gen-fraction', { notBefore: gen('20500101000000.123Z'), notAfter: gen('20500101000000.5-0500') }, 'fractions and offset');
  mk('time-gen-local', { notBefore: gen('20500101000000'), notAfter: gen('20230230000000Z') }, 'no zone; Feb 30');
  mk('time-leap', { notBefore: gen('20240229000000Z'), notAfter: utc('000229000000Z') }, 'leap days');
  mk('time-day-pad', { notBefore: utc('250305010203Z'), notAfter: utc('251231235959Z') }, 'one- and two-digit days');

  // Names: attribute names and string types.
  const many = [
    ['2.5.4.3', 'cn'], ['2.5.4.4', 'surname'], ['2.5.4.5', 'sn123'], ['2.5.4.6', 'US'], ['2.5.4.7', 'loc'],
    ['2.5.4.8', 'st'], ['2.5.4.9', 'street'], ['2.5.4.10', 'org'], ['2.5.4.11', 'ou'], ['2.5.4.12', 'title'],
    ['2.5.4.13', 'desc'], ['2.5.4.15', 'biz'], ['2.5.4.17', '12345'], ['2.5.4.18', 'pob'],
    ['2.5.4.41', 'name'], ['2.5.4.42', 'given'], ['2.5.4.43', 'ini'], ['2.5.4.44', 'III'],
    ['2.5.4.45', 'xuid'], ['2.5.4.46', 'dnq'], ['2.5.4.65', 'pseudo'], ['2.5.4.72', 'role'],
    ['2.5.4.97', 'orgid'], ['2.5.4.54', 'dmd'], ['2.5.4.51', 'house'],
    ['1.2.840.113549.1.9.1', 'a@b.c'], ['1.2.840.113549.1.9.2', 'unstr'],
    ['0.9.2342.19200300.100.1.1', 'uid'], ['0.9.2342.19200300.100.1.3', 'mail'],
    ['0.9.2342.19200300.100.1.25', 'dc'],
    ['1.3.6.1.4.1.311.60.2.1.1', 'jl'], ['1.3.6.1.4.1.311.60.2.1.2', 'jst'], ['1.3.6.1.4.1.311.60.2.1.3', 'US'],
    ['1.2.3.4', 'unknown'], ['2.5.4.20', '123'], ['2.5.4.16', 'addr'], ['2.5.4.100', 'dns'],
  ];
  mk('name-attributes', { subject: name(many.map(([o, v]) => [[o, utf8(v)]])) }, 'short names of many attribute types');
  mk('name-types', {
    subject: name([
      [[A.CN, bmp('Bücher 日本')]], [[A.CN, univ('uni \u{1F600}')]], [[A.CN, t61('caf\u00e9')]],
      [[A.CN, ia5('ia5')]], [[A.CN, numeric('123')]], [[A.O, printable('P')]],
      [[A.OU, utf8('u\u00e9')]],
    ]),
  }, 'string types converted to UTF-8');
  mk('name-multivalued', { subject: name([[[A.C, printable('US')]], [[A.O, utf8('Test')], [A.OU, utf8('a')], [A.OU, utf8('b')]], [[A.CN, utf8('mv')]]]) }, 'multi-valued RDN');
  mk('name-empty', { subject: seq(), exts: [E.san(GN.dns('empty.example'))] }, 'empty subject');
  mk('name-dc', { subject: name([[[A.DC, ia5('com')]], [[A.DC, ia5('example')]], [[A.UID, utf8('jdoe')]], [[A.CN, utf8('John')]]]) }, 'DC and UID');
  mk('name-octet-value', { subject: name([[[A.CN, utf8('ok')]], [['1.2.3.4', octet(Buffer.from('x'))]]]) }, 'value that is not a string');
  // Which value types OpenSSL accepts in a name (B_ASN1_PRINTABLE) and which
  // of those Node can show (ASN1_STRING_to_UTF8); a rejected type makes the
  // whole certificate unreadable.
  for (const [tagName, value] of [
    ['bitstring', tlv(0x03, Buffer.from([0, 0x41]))], ['visible', tlv(0x1a, 'v')], ['general', tlv(0x1b, 'g')],
    ['sequence', seq(utf8('s'))], ['integer', tlv(0x02, Buffer.from([5]))], ['utctime', utc('250101000000Z')],
    ['tag7', tlv(0x07, 'x')], ['tag13', tlv(0x0d, Buffer.from([1]))], ['tag29', tlv(0x1d, 'x')],
    ['videotex', tlv(0x15, 'x')], ['graphic', tlv(0x19, 'x')], ['context', tlv(0x80, 'x')],
    ['utf8-invalid', tlv(0x0c, Buffer.from([0xc3]))], ['utf8-surrogate', tlv(0x0c, Buffer.from([0xed, 0xa0, 0x80]))],
    ['universal-odd', tlv(0x1c, Buffer.from([0, 0, 0x41]))], ['universal-big', tlv(0x1c, Buffer.from([0, 0x11, 0, 0]))],
    ['bmp-surrogate', tlv(0x1e, Buffer.from([0xd8, 0x3d, 0xde, 0x00]))], ['t61-high', tlv(0x14, Buffer.from([0xe9, 0xff]))],
  ]) {
    mk(`name-value-${tagName}`, { subject: name([[[A.CN, utf8('v')]], [[A.OU, value]]]) }, `${tagName} value in the subject`);
  }
  // SET OF / SEQUENCE OF encoded primitive (OpenSSL does not check the
  // constructed bit there), and a primitive SEQUENCE (it does there).
  {
    const atv = seq(oid(A.CN), utf8('prim'));
    mk('name-primitive-set', { subject: seq(tlv(0x11, atv)) }, 'RDN SET with the constructed bit clear');
    mk('name-primitive-seq', { subject: tlv(0x10, set(atv)) }, 'Name SEQUENCE with the constructed bit clear');
    mk('name-primitive-atv', { subject: seq(set(tlv(0x10, oid(A.CN), utf8('prim')))) }, 'attribute SEQUENCE with the constructed bit clear');
    mk('name-empty-rdn', { subject: seq(set(), set(atv)) }, 'empty RDN');
  }
  mk('name-bmp-odd', { subject: name([[[A.CN, tlv(0x1e, Buffer.from([0, 0x41, 0]))]]]) }, 'BMPString of odd length');

  // Alternative names as Node prints them.
  const dirName = name([[[A.CN, utf8('a/b+c')]], [[A.C, printable('US')], [A.O, utf8('x\u00e9y')]]]);
  const oddDir = name([[[A.CN, utf8('#lead')]], [[A.O, utf8(' sp ')]], [[A.OU, bmp('q"\\,')]], [['1.2.3.4', utf8('unk')]], [[A.L, utf8('c\u0001d')]]]);
  mk('san-all', {
    exts: [E.san(
      GN.dns('a.com'), GN.dns('a,b.com'), GN.dns('q"x'), GN.dns('bs\\x'), GN.dns("ap'x"), GN.dns('c\x01\x7f\u00e9'),
      GN.email('m@a.com'), GN.uri('http://a/b,c'), GN.uri('http://a/b'),
      GN.ip('01020304'), GN.ip('010203'), GN.ip('20010db8000000000000000000000001'), GN.ip('00000000000000000000ffff7f000001'),
      GN.dir(dirName), GN.dir(oddDir), GN.dir(seq()),
      GN.rid('1.2.3.4'), GN.rid('1.3.6.1.5.5.7.48.1'),
      GN.other('1.3.6.1.4.1.311.20.2.3', utf8('u@x.com')), GN.other('1.3.6.1.4.1.311.20.2.3', utf8('u,\u00e9@x.com')),
      GN.other('1.3.6.1.5.5.7.8.7', ia5('_svc.a.com')), GN.other('1.3.6.1.5.5.7.8.5', utf8('xmpp@a.com')),
      GN.other('1.3.6.1.5.5.7.8.9', utf8('smtp@a.com')), GN.other('1.3.6.1.5.5.7.8.8', utf8('realm')),
      GN.other('1.3.6.1.5.5.7.8.7', utf8('wrongtype')), GN.other('1.2.3.4', utf8('zz')),
      GN.x400(), GN.edi('party'),
    )],
  }, 'every general name form');
  mk('san-empty', { exts: [E.san()] }, 'SAN with no names');
  mk('san-two-extensions', { exts: [E.san(GN.dns('first.example')), E.san(GN.dns('second.example'))] }, 'two SAN extensions: the first counts');
  mk('san-malformed', { exts: [ext('2.5.29.17', false, Buffer.from([0x30, 0x03, 0x82, 0x05, 0x61]))] }, 'undecodable SAN');

  // Authority information access.
  mk('aia-many', {
    exts: [E.aia(
      ['1.3.6.1.5.5.7.48.1', GN.uri('http://ocsp1/')], ['1.3.6.1.5.5.7.48.1', GN.uri('http://ocsp2/')],
      ['1.3.6.1.5.5.7.48.2', GN.uri('http://ca/ca.cer')], ['1.3.6.1.5.5.7.48.2', GN.uri('http://ca/a,b')],
      ['1.3.6.1.5.5.7.48.3', GN.uri('http://ts/')], ['1.3.6.1.5.5.7.48.4', GN.uri('http://dvcs/')],
      ['1.3.6.1.5.5.7.48.5', GN.uri('http://repo/')], ['1.2.3.4.5', GN.uri('http://unknown/')],
      ['1.3.6.1.5.5.7.48.2', GN.dir(simpleName('Dir'))], ['1.3.6.1.5.5.7.48.1', GN.ip('0a000001')],
      ['1.3.6.1.5.5.7.48.1', GN.email('ocsp@x')],
    )],
  }, 'several access descriptions');

  // Extended key usage.
  mk('eku-many', { exts: [E.eku('1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.3', '1.3.6.1.5.5.7.3.4', '1.3.6.1.5.5.7.3.8', '1.3.6.1.5.5.7.3.9', '2.5.29.37.0', '1.2.3.4.5.6.7.8.9.1000000')] }, 'EKU OIDs');
  mk('eku-empty', { exts: [E.eku()] }, 'empty EKU');
  mk('eku-duplicate', { exts: [E.eku('1.3.6.1.5.5.7.3.1'), E.eku('1.3.6.1.5.5.7.3.2')] }, 'two EKU extensions');

  // The ca flag (X509_check_ca() == 1).
  mk('ca-true', { exts: [E.bc(true)] }, 'CA:TRUE, no keyUsage');
  mk('ca-pathlen', { exts: [E.bc(true, 0), E.ku(0x06)] }, 'CA:TRUE pathlen 0, keyCertSign');
  mk('ca-no-certsign', { exts: [E.bc(true), E.ku(0x80)] }, 'CA:TRUE, keyUsage without keyCertSign');
  mk('ca-false', { exts: [E.bc(false), E.ku(0x06)] }, 'CA:FALSE, keyCertSign');
  mk('ca-none', { exts: [E.ku(0x06)] }, 'no basicConstraints');
  mk('ca-duplicate', { exts: [E.bc(true), E.bc(true)] }, 'two basicConstraints');
  mk('ca-empty-ku', { exts: [E.bc(true), ext('2.5.29.15', true, bits(Buffer.from([0]), 0))] }, 'empty keyUsage');

  // Keys.
  const key = (type, opts) => crypto.generateKeyPairSync(type, opts).publicKey;
  mk('key-rsa-e3', { spki: spkiOf(key('rsa', { modulusLength: 1024, publicExponent: 3 })) }, 'RSA exponent 3');
  mk('key-rsa-3072', { spki: spkiOf(key('rsa', { modulusLength: 3072 })) }, 'RSA 3072');
  mk('key-rsa-pss', { spki: spkiOf(key('rsa-pss', { modulusLength: 2048 })) }, 'RSA-PSS key: no key fields');
  mk('key-p384', { spki: spkiOf(key('ec', { namedCurve: 'P-384' })) }, 'P-384');
  mk('key-p521', { spki: spkiOf(key('ec', { namedCurve: 'P-521' })) }, 'P-521');
  mk('key-secp256k1', { spki: spkiOf(key('ec', { namedCurve: 'secp256k1' })) }, 'secp256k1: no NIST name');
  mk('key-brainpool', { spki: spkiOf(key('ec', { namedCurve: 'brainpoolP256r1' })) }, 'brainpoolP256r1');
  mk('key-p224', { spki: spkiOf(key('ec', { namedCurve: 'P-224' })) }, 'P-224');
  mk('key-ed448', { spki: spkiOf(key('ed448')) }, 'Ed448');
  // Points encoded compressed or hybrid: Node reports them uncompressed.
  const curveOIDs = { 'P-256': ['1.2.840.10045.3.1.7', 32], 'P-521': ['1.3.132.0.35', 66], 'P-192': ['1.2.840.10045.3.1.1', 24], secp256k1: ['1.3.132.0.10', 32], brainpoolP384r1: ['1.3.36.3.3.2.8.1.1.11', 48], brainpoolP512r1: ['1.3.36.3.3.2.8.1.1.13', 64] };
  const encodedPoint = (curve, form) => {
    const [curveOID, size] = curveOIDs[curve];
    const der = spkiOf(key('ec', { namedCurve: curve }));
    const x = der.subarray(der.length - 2 * size, der.length - size);
    const y = der.subarray(der.length - size);
    const odd = y[y.length - 1] & 1;
    const pt = form === 'compressed' ? Buffer.concat([Buffer.from([2 + odd]), x]) : Buffer.concat([Buffer.from([6 + odd]), x, y]);
    return seq(seq(oid('1.2.840.10045.2.1'), oid(curveOID)), bits(pt));
  };
  for (const curve of Object.keys(curveOIDs)) {
    mk(`key-${curve}-compressed`, { spki: encodedPoint(curve, 'compressed') }, `compressed ${curve} point`);
  }
  mk('key-P-256-hybrid', { spki: encodedPoint('P-256', 'hybrid') }, 'hybrid P-256 point');
  mk('key-p192', { spki: spkiOf(key('ec', { namedCurve: 'P-192' })) }, 'P-192');
  mk('key-brainpool512', { spki: spkiOf(key('ec', { namedCurve: 'brainpoolP512r1' })) }, 'brainpoolP512r1');
  mk('key-p256-offcurve', { spki: seq(seq(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')), bits(Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]))) }, 'point not on the curve');
  mk('key-rsa-noparams', { spki: (() => {
    const d = spkiOf(key('rsa', { modulusLength: 1024 }));
    // Re-wrap the key without the NULL parameters.
    const bitStr = d.subarray(d.indexOf(Buffer.from([0x03, 0x81])));
    return seq(seq(oid('1.2.840.113549.1.1.1')), bitStr);
  })() }, 'rsaEncryption without NULL parameters');
}

(async () => {
  await fixtureCases();
  await syntheticChainCases();
  x509Cases();
  const doc = {
    generator: 'tls/testdata/node/peercert.js',
    node: process.version,
    openssl: process.versions.openssl,
    cases,
  };
  fs.writeFileSync(path.join(__dirname, 'peercert.json'), JSON.stringify(doc, null, 1) + '\n');
  console.log(`peercert.json: ${cases.length} cases`);
})().catch((e) => { console.error(e); process.exit(1); });

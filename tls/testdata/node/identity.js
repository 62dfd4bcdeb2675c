// Generates identity.json: tls.checkServerIdentity run by the local node
// (Node 20) over a table of (host, cert) pairs. The Go tests replay the table
// against tls.CheckServerIdentity.
//
//   node tls/testdata/node/identity.js
//
// A case's cert is {subject: {CN: string | string[]}, subjectaltname: string}
// (either may be missing). The expected result is null (a match), an
// ERR_TLS_CERT_ALTNAME_INVALID error (code, message, reason, host), or, for a
// malformed subjectaltname string, the error Node throws (code, message).
'use strict';

const fs = require('fs');
const path = require('path');
const tls = require('tls');

const cases = [];
const add = (host, cert, note) => cases.push({ host, cert, note });

// --- Node's own test/parallel/test-tls-check-server-identity.js (v20) -------
// Non-string hosts are stringified by Node; the Go API takes a string, so
// these three are recorded with the string Node makes of them.
add('false', { subject: { CN: 'a.com' } }, 'node: host false');
add('null', { subject: { CN: 'a.com' } }, 'node: host null');
add('undefined', { subject: { CN: 'a.com' } }, 'node: host undefined');
add('a.com', { subject: { CN: 'a.com' } }, 'node: basic CN');
add('a.com', { subject: { CN: 'A.COM' } }, 'node: CN upper case');
add('a.com', { subject: { CN: 'b.com' } }, 'node: CN mismatch');
add('a.com', { subject: { CN: 'a.com.' } }, 'node: CN trailing dot');
add('a.com', { subject: { CN: '.a.com' } }, 'node: CN leading dot');
add('8.8.8.8', { subject: { CN: '8.8.8.8' } }, 'node: IP in CN');
add('8.8.8.8', { subject: { CN: '8.8.8.8' }, subjectaltname: 'DNS:8.8.8.8' }, 'node: IP in DNS SAN');
add('8.8.8.8', { subject: { CN: '8.8.8.8' }, subjectaltname: 'URI:http://8.8.8.8/' }, 'node: IP in URI SAN');
add('8.8.8.8', { subject: { CN: '8.8.8.8' }, subjectaltname: 'IP Address:8.8.8.8' }, 'node: IP SAN');
add('8.8.8.8', { subject: { CN: '8.8.8.8' }, subjectaltname: 'IP Address:8.8.8.0/24' }, 'node: CIDR SAN');
add('b.a.com', { subject: { CN: '*.a.com' } }, 'node: wildcard CN');
add('ba.com', { subject: { CN: '*.a.com' } }, 'node: wildcard CN mismatch');
add('\n.b.com', { subject: { CN: '*n.b.com' } }, 'node: newline host');
add('b.a.com', { subjectaltname: 'DNS:omg.com', subject: { CN: '*.a.com' } }, 'node: SAN disables CN');
add('b.a.com', { subject: { CN: 'b*b.a.com' } }, 'node: wildcard longer than label');
add('a.com', {}, 'node: empty cert');
add('a.com', { subjectaltname: 'DNS:a.com' }, 'node: no subject, DNS SAN');
add('a.b.a.com', { subjectaltname: 'URI:http://a.b.a.com/' }, 'node: no subject, URI SAN');
add('foo.com', { subject: { CN: ['foo.com', 'bar.com'] } }, 'node: several CNs');
add('a.com', { subjectaltname: 'DNS:*', subject: { CN: 'b.com' } }, 'node: DNS:*');
add('a.com', { subjectaltname: 'DNS:*.com', subject: { CN: 'b.com' } }, 'node: DNS:*.com');
add('a.co.uk', { subjectaltname: 'DNS:*.co.uk', subject: { CN: 'b.com' } }, 'node: DNS:*.co.uk');
add('a.com', { subjectaltname: 'DNS:*.a.com', subject: { CN: 'a.com' } }, 'node: wildcard does not cover base (CN a.com)');
add('a.com', { subjectaltname: 'DNS:*.a.com', subject: { CN: 'b.com' } }, 'node: wildcard does not cover base');
add('a.com', { subjectaltname: 'DNS:a.com', subject: { CN: 'b.com' } }, 'node: DNS SAN wins over CN');
add('a.com', { subjectaltname: 'DNS:A.COM', subject: { CN: 'b.com' } }, 'node: DNS SAN upper case');
add('a.com', { subjectaltname: 'DNS:*.a.com', subject: {} }, 'node: wildcard, empty subject');
add('b.a.com', { subjectaltname: 'DNS:*.a.com', subject: {} }, 'node: wildcard match');
add('c.b.a.com', { subjectaltname: 'DNS:*.a.com', subject: {} }, 'node: wildcard one label only');
add('b.a.com', { subjectaltname: 'DNS:*b.a.com', subject: {} }, 'node: partial wildcard, empty prefix');
add('a-cb.a.com', { subjectaltname: 'DNS:*b.a.com', subject: {} }, 'node: partial wildcard');
add('a.b.a.com', { subjectaltname: 'DNS:*b.a.com', subject: {} }, 'node: partial wildcard, label count');
add('a.b.a.com', { subjectaltname: 'DNS:*b.a.com, DNS:a.b.a.com', subject: {} }, 'node: several DNS SANs');
add('a.b.a.com', { subjectaltname: 'URI:http://a.b.a.com/', subject: {} }, 'node: URI SAN ignored');
add('a.b.a.com', { subjectaltname: 'URI:http://*.b.a.com/', subject: {} }, 'node: URI SAN wildcard ignored');
add('a.b.a.com', { subjectaltname: 'IP Address:127.0.0.1', subject: {} }, 'node: DNS host, IP SAN');
add('127.0.0.1', { subjectaltname: 'IP Address:127.0.0.1', subject: {} }, 'node: IP match');
add('127.0.0.2', { subjectaltname: 'IP Address:127.0.0.1', subject: {} }, 'node: IP mismatch');
add('127.0.0.1', { subjectaltname: 'DNS:a.com', subject: {} }, 'node: IP host, DNS SAN');
add('localhost', { subjectaltname: 'DNS:a.com', subject: { CN: 'localhost' } }, 'node: localhost vs DNS SAN');
add('xn--bcher-kva.example.com', { subject: { CN: '*.example.com' } }, 'node: A-label host, wildcard');
add('xn--bcher-kva.example.com', { subject: { CN: 'xn--*.example.com' } }, 'node: wildcard inside A-label');

// --- Our own cases -----------------------------------------------------------
// IPv6
add('::1', { subjectaltname: 'IP Address:0:0:0:0:0:0:0:1' }, 'ipv6 loopback vs OpenSSL form');
add('0:0:0:0:0:0:0:1', { subjectaltname: 'IP Address:0:0:0:0:0:0:0:1' }, 'ipv6 long host');
add('::2', { subjectaltname: 'IP Address:0:0:0:0:0:0:0:1' }, 'ipv6 mismatch');
add('::2', { subjectaltname: 'IP Address:0:0:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:7F00:1, IP Address:bogus, IP Address:0:0:0:0:0:0:7F00:1, IP Address:1:0:0:0:0:0:0:1, IP Address:1:0:0:1:0:0:0:1, IP Address:1:2:3:4:5:6:7:0, IP Address:0:0:0:0:0:0:0:0, IP Address:2001:DB8:0:0:1:0:0:1' }, 'ipv6 canonical forms in the reason');
add('FE80::1', { subjectaltname: 'IP Address:FE80:0:0:0:0:0:0:1' }, 'ipv6 upper case host');
add('fe80::1%eth0', { subjectaltname: 'IP Address:FE80:0:0:0:0:0:0:1' }, 'ipv6 zone in host');
add('fe80::2%eth0', { subjectaltname: 'IP Address:FE80:0:0:0:0:0:0:1' }, 'ipv6 zone in host, mismatch');
add('::ffff:127.0.0.1', { subjectaltname: 'IP Address:127.0.0.1' }, 'ipv4-mapped host vs IPv4 SAN');
add('::ffff:7f00:1', { subjectaltname: 'IP Address:0:0:0:0:0:FFFF:7F00:1' }, 'ipv4-mapped both');
add('::1', { subject: { CN: '::1' } }, 'ipv6 CN never counts');
add('::1', { subjectaltname: 'DNS:localhost', subject: { CN: 'localhost' } }, 'ipv6 host, DNS SAN');
add('[::1]', { subjectaltname: 'IP Address:0:0:0:0:0:0:0:1' }, 'bracketed ipv6 is not an IP');
add('1:2:3:4:5:6:7::', { subjectaltname: 'IP Address:1:2:3:4:5:6:7:0' }, 'ipv6 trailing ::');
add('::1.2.3.4', { subjectaltname: 'IP Address:0:0:0:0:0:0:102:304' }, 'ipv4-compatible ipv6');
// IPv4 forms
add('127.0.0.01', { subjectaltname: 'IP Address:127.0.0.1' }, 'leading zero is not an IP');
add('127.1', { subjectaltname: 'IP Address:127.0.0.1' }, 'short IPv4 is not an IP');
add('127.0.0.1', { subjectaltname: 'IP Address:127.0.0.1\u0000junk' }, 'NUL in IP SAN');
add('127.0.0.1', { subjectaltname: 'IP Address:127.0.0.01' }, 'leading zero in IP SAN');
add('127.0.0.1', { subjectaltname: 'IP Address:127.0.0.1, DNS:a.com, IP Address:10.0.0.1' }, 'IP among several');
add('10.0.0.2', { subjectaltname: 'IP Address:127.0.0.1, DNS:a.com, IP Address:10.0.0.1, URI:http://10.0.0.2/' }, 'IP reason lists IPs only');
// trailing dots
add('a.com.', { subjectaltname: 'DNS:a.com' }, 'host trailing dot');
add('a.com..', { subjectaltname: 'DNS:a.com' }, 'host two trailing dots');
add('a.com...', { subjectaltname: 'DNS:a.com' }, 'host three trailing dots');
add('a.com', { subjectaltname: 'DNS:a.com.' }, 'SAN trailing dot');
add('a.com', { subjectaltname: 'DNS:a.com..' }, 'SAN two trailing dots');
add('b.a.com.', { subjectaltname: 'DNS:*.a.com' }, 'host trailing dot, wildcard');
add('127.0.0.1.', { subjectaltname: 'IP Address:127.0.0.1' }, 'IP host trailing dot');
add('.', { subject: { CN: 'a.com' } }, 'host is a dot');
add('', { subject: { CN: 'a.com' } }, 'empty host');
add('', { subject: { CN: '' } }, 'empty host and CN');
add('', {}, 'empty host, empty cert');
add('.a.com', { subjectaltname: 'DNS:*.a.com' }, 'empty first label vs wildcard');
add('a..com', { subjectaltname: 'DNS:a..com' }, 'empty label in pattern');
// case
add('A.COM', { subjectaltname: 'DNS:a.com' }, 'host upper case');
add('B.A.COM', { subjectaltname: 'DNS:*.A.COM' }, 'upper case wildcard');
add('Bb.A.com', { subjectaltname: 'DNS:*B.a.COM' }, 'mixed case partial wildcard');
add('A.COM', { subject: { CN: 'a.com' } }, 'host upper case vs CN');
// wildcards
add('a.b.com', { subjectaltname: 'DNS:*.*.com' }, 'two wildcards');
add('ab.b.com', { subjectaltname: 'DNS:a*b.b.com' }, 'infix wildcard, empty');
add('acb.b.com', { subjectaltname: 'DNS:a*b.b.com' }, 'infix wildcard');
add('ac.b.com', { subjectaltname: 'DNS:a*b.b.com' }, 'infix wildcard mismatch');
add('aba.b.com', { subjectaltname: 'DNS:ab*ba.b.com' }, 'prefix and suffix overlap');
add('foo.www.example.com', { subjectaltname: 'DNS:*.www.example.com' }, 'deep wildcard');
add('www.example.com', { subjectaltname: 'DNS:www.*.com' }, 'wildcard not left-most');
add('a.com', { subjectaltname: 'DNS:a.*' }, 'wildcard in TLD');
add('a', { subjectaltname: 'DNS:*' }, 'single label wildcard');
add('a', { subjectaltname: 'DNS:a' }, 'single label');
add('a.b', { subjectaltname: 'DNS:*.b' }, 'two-label wildcard');
// punycode / IDN
add('bücher.example.com', { subject: { CN: '*.example.com' } }, 'unicode host, wildcard CN');
add('bücher.com', { subjectaltname: 'DNS:bücher.com' }, 'unicode pattern never matches');
add('xn--bcher-kva.com', { subjectaltname: 'DNS:xn--bcher-kva.com' }, 'A-label exact');
add('xn--bcher-kva.example.com', { subjectaltname: 'DNS:xn--*.example.com' }, 'SAN wildcard inside A-label');
add('xn--bcher-kva.example.com', { subjectaltname: 'DNS:*--bcher-kva.example.com' }, 'wildcard before A-label text');
add('XN--BCHER-KVA.example.com', { subjectaltname: 'DNS:xn--bcher-kva.example.com' }, 'A-label upper case host');
add('xn--bcher-kva.example.com', { subjectaltname: 'DNS:XN--*.example.com' }, 'upper-case xn-- with wildcard');
add('BÜCHER.example.com', { subjectaltname: 'DNS:*.example.com' }, 'unicode upper-case host');
add('a\u00e9.com', { subjectaltname: 'DNS:a\u00c9.com' }, 'non-ASCII is not case folded');
add('a b.com', { subjectaltname: 'DNS:a b.com' }, 'space in pattern');
add('a\u007f.com', { subjectaltname: 'DNS:a\u007f.com' }, 'DEL in pattern');
add('\u{1F600}.a.com', { subjectaltname: 'DNS:*.a.com' }, 'astral host label');
// multiple CNs
add('bar.com', { subject: { CN: ['foo.com', 'bar.com'] } }, 'second CN');
add('baz.com', { subject: { CN: ['foo.com', 'bar.com'] } }, 'no CN matches');
add('x.bar.com', { subject: { CN: ['foo.com', '*.bar.com'] } }, 'wildcard second CN');
add('bar.com', { subject: { CN: ['foo.com', 'bar.com'] }, subjectaltname: 'DNS:a.com' }, 'several CNs, DNS SAN');
add('bar.com', { subject: { CN: ['foo.com', 'bar.com'] }, subjectaltname: 'IP Address:1.2.3.4' }, 'several CNs, IP SAN');
add('a.com', { subject: { CN: [] } }, 'empty CN list');
add('a.com', { subject: { CN: '' } }, 'empty CN');
add('a.com', { subject: { CN: ['', 'a.com'] } }, 'empty and real CN');
// URI / email / other SANs
add('a.com', { subjectaltname: 'URI:http://a.com/, DNS:b.com' }, 'URI and DNS SAN');
add('a.com', { subjectaltname: 'URI:http://a.com/', subject: { CN: 'a.com' } }, 'URI SAN, CN fallback');
add('a.com', { subjectaltname: 'email:a@a.com', subject: { CN: 'a.com' } }, 'email SAN, CN fallback');
add('localhost', { subjectaltname: 'IP Address:127.0.0.1', subject: { CN: 'localhost' } }, 'IP SAN, CN fallback (ipcn)');
add('a.com', { subjectaltname: 'DirName:CN=a.com', subject: { CN: 'b.com' } }, 'DirName SAN');
add('a.com', { subjectaltname: 'othername:UPN:a.com, Registered ID:1.2.3' }, 'othername SAN');
// empty SAN
add('a.com', { subjectaltname: '', subject: { CN: 'a.com' } }, 'empty SAN string');
add('a.com', { subjectaltname: '', subject: {} }, 'empty SAN, empty subject');
// splitting and quoting
add('a.com', { subjectaltname: 'DNS:a.com,DNS:b.com' }, 'no space after comma');
add('b.com', { subjectaltname: 'DNS:a.com,DNS:b.com' }, 'no space after comma, second');
add('b.com', { subjectaltname: 'DNS:a.com, DNS:b.com, ' }, 'trailing separator');
add('a.com', { subjectaltname: 'DNS:"a.com"' }, 'quoted DNS SAN');
add('b.com', { subjectaltname: 'DNS:"a,b.com", DNS:b.com' }, 'quoted SAN with comma');
add('a.com', { subjectaltname: '"DNS:a.com"' }, 'quote before the prefix');
add('a.com', { subjectaltname: 'DNS:"a\\u002ecom"' }, 'escaped dot');
add('127.0.0.1', { subjectaltname: 'IP Address:"127.0.0.1", DNS:"x"' }, 'quoted IP SAN');
add('a.com', { subjectaltname: 'DNS:"bad' }, 'unterminated quote');
add('a.com', { subjectaltname: 'DNS:"\\x"' }, 'invalid escape');
add('a.com', { subjectaltname: 'DNS:"a\u0001"' }, 'control char in quotes');
add('a.com', { subjectaltname: 'DNS:a.com,' }, 'ends with a comma');
add('a.com', { subjectaltname: 'DNS:a.com,,' }, 'ends with two commas');

const out = [];
for (const c of cases) {
  const rec = { note: c.note, host: c.host, cert: c.cert };
  try {
    const err = tls.checkServerIdentity(c.host, c.cert);
    if (err === undefined) {
      rec.error = null;
    } else {
      rec.error = { code: err.code, message: err.message, reason: err.reason, host: err.host };
      if (err.cert !== c.cert) throw new Error('err.cert is not the input');
    }
  } catch (e) {
    if (!e.code) throw e;
    rec.error = { code: e.code, message: e.message, thrown: true };
  }
  out.push(rec);
}

const doc = {
  generator: 'tls/testdata/node/identity.js',
  node: process.version,
  openssl: process.versions.openssl,
  cases: out,
};
fs.writeFileSync(path.join(__dirname, 'identity.json'), JSON.stringify(doc, null, 1) + '\n');
console.log(`identity.json: ${out.length} cases`);

package ossl

/*
#include "shim.h"
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// Errors of the OCSP helpers that are not OpenSSL's own.
var (
	// ErrTrailingData: bytes follow the DER value.
	ErrTrailingData = errors.New("trailing data after the DER value")
	// ErrOCSPFieldTooLarge: a CertID serial or hash longer than 64 bytes.
	ErrOCSPFieldTooLarge = errors.New("OCSP response: a CertID field is longer than 64 bytes")
	// ErrOCSPNoBasic: the response holds no basic response.
	ErrOCSPNoBasic = errors.New("OCSP response: no basic response")
	// ErrOCSPBadTime: a time in the response is not a valid time.
	ErrOCSPBadTime = errors.New("OCSP response: a time is not a valid time")
	// ErrBadCertificate: a certificate given does not parse; the error
	// also wraps the *Error with OpenSSL's reason.
	ErrBadCertificate = errors.New("the certificate does not parse")
)

// The OCSPResponseStatus values (OCSP_RESPONSE_STATUS_*).
const (
	OCSPSuccessful = int(C.OCSP_RESPONSE_STATUS_SUCCESSFUL)
)

// The certificate statuses of a single response (V_OCSP_CERTSTATUS_*).
const (
	OCSPCertGood    = int(C.V_OCSP_CERTSTATUS_GOOD)
	OCSPCertRevoked = int(C.V_OCSP_CERTSTATUS_REVOKED)
	OCSPCertUnknown = int(C.V_OCSP_CERTSTATUS_UNKNOWN)
)

// An OCSPSingle is one SingleResponse of a basic OCSP response.
type OCSPSingle struct {
	CertStatus     int       // OCSPCertGood, OCSPCertRevoked or OCSPCertUnknown
	Reason         int       // the revocation reason (OCSP_REVOKED_STATUS_*), -1 when none
	ThisUpdate     time.Time // zero when absent
	NextUpdate     time.Time
	RevokedAt      time.Time
	HashAlgorithm  string // the CertID's hash, OpenSSL's short name ("SHA1")
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	SerialNumber   *big.Int
}

// An OCSPInfo is what ParseOCSPResponse read.
type OCSPInfo struct {
	Status     int  // the OCSPResponseStatus
	Basic      bool // a basic response is present (Singles and ProducedAt are only then)
	ProducedAt time.Time
	Singles    []OCSPSingle
}

// OCSPRequest returns the DER OCSPRequest for cert issued by issuer (both
// DER): one SHA-1 CertID and no nonce, the request openssl ocsp -no_nonce
// makes.
//
// Corresponds to OCSP_cert_to_id, OCSP_request_add0_id, i2d_OCSP_REQUEST.
func OCSPRequest(cert, issuer []byte) ([]byte, error) {
	var q C.ossl_errs
	var out *C.uchar
	var n C.size_t
	cp, cn := cBytes(cert)
	ip, in := cBytes(issuer)
	r := C.ossl_ocsp_request((*C.uchar)(unsafe.Pointer(cp)), cn, (*C.uchar)(unsafe.Pointer(ip)), in, &out, &n, &q)
	runtime.KeepAlive(cert)
	runtime.KeepAlive(issuer)
	if r != 1 {
		return nil, ocspError(r, "OCSP_cert_to_id", &q)
	}
	defer C.ossl_free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

// OCSPResponderURLs returns the OCSP responder URIs that cert (DER) names
// in its authorityInfoAccess extension, in order; none is not an error.
//
// Corresponds to X509_get1_ocsp.
func OCSPResponderURLs(cert []byte) ([]string, error) {
	var q C.ossl_errs
	var out *C.char
	var n C.size_t
	cp, cn := cBytes(cert)
	r := C.ossl_ocsp_urls((*C.uchar)(unsafe.Pointer(cp)), cn, &out, &n, &q)
	runtime.KeepAlive(cert)
	if r != 1 {
		return nil, ocspError(r, "d2i_X509", &q)
	}
	if out == nil {
		return nil, nil
	}
	defer C.ossl_free(unsafe.Pointer(out))
	return strings.Split(strings.TrimSuffix(C.GoStringN(out, C.int(n)), "\x00"), "\x00"), nil
}

// ParseOCSPResponse reads a DER OCSPResponse. A response whose status is
// not successful parses without error and has no basic response.
//
// Corresponds to d2i_OCSP_RESPONSE, OCSP_response_status,
// OCSP_response_get1_basic, OCSP_single_get0_status, OCSP_id_get0_info.
func ParseOCSPResponse(der []byte) (*OCSPInfo, error) {
	singles := make([]C.ossl_ocsp_single, 1)
	for {
		var q C.ossl_errs
		var info C.ossl_ocsp_info
		dp, dn := cBytes(der)
		r := C.ossl_ocsp_parse((*C.uchar)(unsafe.Pointer(dp)), dn, &info, &singles[0], C.size_t(len(singles)), &q)
		runtime.KeepAlive(der)
		if r != 1 {
			return nil, ocspError(r, "d2i_OCSP_RESPONSE", &q)
		}
		if int(info.nsingle) > len(singles) {
			singles = make([]C.ossl_ocsp_single, info.nsingle)
			continue
		}
		out := &OCSPInfo{Status: int(info.status), Basic: info.basic == 1, ProducedAt: goTime(&info.produced_at)}
		for i := 0; i < int(info.nsingle); i++ {
			out.Singles = append(out.Singles, goSingle(&singles[i]))
		}
		return out, nil
	}
}

// OCSPFind returns the index in the response's single responses of the one
// about cert issued by issuer (both DER), or -1 when none is. Each single
// response is matched with the hash its own CertID uses; when several are
// about the certificate, the first that says revoked wins, else the first.
//
// Corresponds to OCSP_cert_to_id and OCSP_id_cmp.
func OCSPFind(der, cert, issuer []byte) (int, error) {
	var q C.ossl_errs
	var index C.int
	dp, dn := cBytes(der)
	cp, cn := cBytes(cert)
	ip, in := cBytes(issuer)
	r := C.ossl_ocsp_find((*C.uchar)(unsafe.Pointer(dp)), dn, (*C.uchar)(unsafe.Pointer(cp)), cn,
		(*C.uchar)(unsafe.Pointer(ip)), in, &index, &q)
	runtime.KeepAlive(der)
	runtime.KeepAlive(cert)
	runtime.KeepAlive(issuer)
	if r != 1 {
		return -1, ocspError(r, "d2i_OCSP_RESPONSE", &q)
	}
	return int(index), nil
}

// OCSPVerify checks the signature of a basic response and its signer as
// of now: the signer must be issuer (DER) or a responder that issuer
// delegated (OCSP signing), and its chain must reach a trust anchor. The
// anchors are trusted (DER), or issuer alone when trusted is empty; an
// anchor need not be self-signed. It does not look at the certificate
// statuses or the update times.
//
// Corresponds to OCSP_basic_verify.
func OCSPVerify(der, issuer []byte, trusted [][]byte, now time.Time) error {
	var q C.ossl_errs
	var list []byte
	for _, t := range trusted {
		list = binary.BigEndian.AppendUint32(list, uint32(len(t)))
		list = append(list, t...)
	}
	dp, dn := cBytes(der)
	ip, in := cBytes(issuer)
	tp, tn := cBytes(list)
	r := C.ossl_ocsp_verify((*C.uchar)(unsafe.Pointer(dp)), dn, (*C.uchar)(unsafe.Pointer(ip)), in,
		(*C.uchar)(unsafe.Pointer(tp)), tn, C.int64_t(now.Unix()), &q)
	runtime.KeepAlive(der)
	runtime.KeepAlive(issuer)
	runtime.KeepAlive(list)
	if r != 1 {
		return ocspError(r, "OCSP_basic_verify", &q)
	}
	return nil
}

// OCSPResponseStatusString names an OCSPResponseStatus ("successful",
// "tryLater").
//
// Corresponds to OCSP_response_status_str.
func OCSPResponseStatusString(s int) string {
	return C.GoString(C.OCSP_response_status_str(C.long(s)))
}

// OCSPCertStatusString names a certificate status ("good", "revoked",
// "unknown").
//
// Corresponds to OCSP_cert_status_str.
func OCSPCertStatusString(s int) string {
	return C.GoString(C.OCSP_cert_status_str(C.long(s)))
}

// OCSPReasonString names a revocation reason ("keyCompromise").
//
// Corresponds to OCSP_crl_reason_str.
func OCSPReasonString(r int) string {
	return C.GoString(C.OCSP_crl_reason_str(C.long(r)))
}

func ocspError(r C.int, op string, q *C.ossl_errs) error {
	switch r {
	case C.OSSL_OCSP_TRAILING:
		return ErrTrailingData
	case C.OSSL_OCSP_TOO_LARGE:
		return ErrOCSPFieldTooLarge
	case C.OSSL_OCSP_NO_BASIC:
		return ErrOCSPNoBasic
	case C.OSSL_OCSP_BAD_TIME:
		return ErrOCSPBadTime
	case C.OSSL_OCSP_BAD_CERT:
		return fmt.Errorf("%w: %w", ErrBadCertificate, newError("d2i_X509", q))
	}
	return newError(op, q)
}

func goTime(t *C.ossl_tm) time.Time {
	if t.set == 0 {
		return time.Time{}
	}
	return time.Date(int(t.year), time.Month(t.mon), int(t.mday), int(t.hour), int(t.min), int(t.sec), 0, time.UTC)
}

func goSingle(s *C.ossl_ocsp_single) OCSPSingle {
	serial := new(big.Int).SetBytes(C.GoBytes(unsafe.Pointer(&s.serial[0]), C.int(s.serial_len)))
	if s.serial_neg != 0 {
		serial.Neg(serial)
	}
	return OCSPSingle{
		CertStatus:     int(s.cert_status),
		Reason:         int(s.reason),
		ThisUpdate:     goTime(&s.this_update),
		NextUpdate:     goTime(&s.next_update),
		RevokedAt:      goTime(&s.revoked_at),
		HashAlgorithm:  C.GoString(&s.hash_alg[0]),
		IssuerNameHash: C.GoBytes(unsafe.Pointer(&s.name_hash[0]), C.int(s.name_hash_len)),
		IssuerKeyHash:  C.GoBytes(unsafe.Pointer(&s.key_hash[0]), C.int(s.key_hash_len)),
		SerialNumber:   serial,
	}
}

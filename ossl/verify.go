package ossl

/*
#include "shim.h"
*/
import "C"

// A VerifyResult is an X509_V_ERR_* certificate verification result.
type VerifyResult int

// VerifyOK is X509_V_OK.
const VerifyOK = VerifyResult(C.X509_V_OK)

// The verification results Node names.
const (
	VerifyUnableToGetIssuerCert       = VerifyResult(C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
	VerifyDepthZeroSelfSignedCert     = VerifyResult(C.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
	VerifyUnableToVerifyLeafSignature = VerifyResult(C.X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE)
)

// nodeVerifyCodes is Node's table of the 27 verification results it names
// (src/crypto/crypto_common.cc, X509_ERROR_CODE_MAP); every other result is
// "UNSPECIFIED".
var nodeVerifyCodes = map[VerifyResult]string{
	VerifyResult(C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT):          "UNABLE_TO_GET_ISSUER_CERT",
	VerifyResult(C.X509_V_ERR_UNABLE_TO_GET_CRL):                  "UNABLE_TO_GET_CRL",
	VerifyResult(C.X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE):   "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
	VerifyResult(C.X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE):    "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
	VerifyResult(C.X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY): "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
	VerifyResult(C.X509_V_ERR_CERT_SIGNATURE_FAILURE):             "CERT_SIGNATURE_FAILURE",
	VerifyResult(C.X509_V_ERR_CRL_SIGNATURE_FAILURE):              "CRL_SIGNATURE_FAILURE",
	VerifyResult(C.X509_V_ERR_CERT_NOT_YET_VALID):                 "CERT_NOT_YET_VALID",
	VerifyResult(C.X509_V_ERR_CERT_HAS_EXPIRED):                   "CERT_HAS_EXPIRED",
	VerifyResult(C.X509_V_ERR_CRL_NOT_YET_VALID):                  "CRL_NOT_YET_VALID",
	VerifyResult(C.X509_V_ERR_CRL_HAS_EXPIRED):                    "CRL_HAS_EXPIRED",
	VerifyResult(C.X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD):     "ERROR_IN_CERT_NOT_BEFORE_FIELD",
	VerifyResult(C.X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD):      "ERROR_IN_CERT_NOT_AFTER_FIELD",
	VerifyResult(C.X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD):     "ERROR_IN_CRL_LAST_UPDATE_FIELD",
	VerifyResult(C.X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD):     "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
	VerifyResult(C.X509_V_ERR_OUT_OF_MEM):                         "OUT_OF_MEM",
	VerifyResult(C.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT):        "DEPTH_ZERO_SELF_SIGNED_CERT",
	VerifyResult(C.X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN):          "SELF_SIGNED_CERT_IN_CHAIN",
	VerifyResult(C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY):  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
	VerifyResult(C.X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE):    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
	VerifyResult(C.X509_V_ERR_CERT_CHAIN_TOO_LONG):                "CERT_CHAIN_TOO_LONG",
	VerifyResult(C.X509_V_ERR_CERT_REVOKED):                       "CERT_REVOKED",
	VerifyResult(C.X509_V_ERR_INVALID_CA):                         "INVALID_CA",
	VerifyResult(C.X509_V_ERR_PATH_LENGTH_EXCEEDED):               "PATH_LENGTH_EXCEEDED",
	VerifyResult(C.X509_V_ERR_INVALID_PURPOSE):                    "INVALID_PURPOSE",
	VerifyResult(C.X509_V_ERR_CERT_UNTRUSTED):                     "CERT_UNTRUSTED",
	VerifyResult(C.X509_V_ERR_CERT_REJECTED):                      "CERT_REJECTED",
}

// Code returns the name Node reports for r ("DEPTH_ZERO_SELF_SIGNED_CERT"),
// "UNSPECIFIED" for results outside Node's table, and "" for VerifyOK.
func (r VerifyResult) Code() string {
	if r == VerifyOK {
		return ""
	}
	if c, ok := nodeVerifyCodes[r]; ok {
		return c
	}
	return "UNSPECIFIED"
}

// String returns OpenSSL's text for r, e.g. "self-signed certificate".
//
// Corresponds to X509_verify_cert_error_string.
func (r VerifyResult) String() string {
	return C.GoString(C.X509_verify_cert_error_string(C.long(r)))
}

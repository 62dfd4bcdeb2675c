//go:build asan

package ossl_test

const asanEnabled = true

package ocsp_test

import (
	"testing"

	"github.com/nodetls/nodetls/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

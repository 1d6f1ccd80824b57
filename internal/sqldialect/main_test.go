package sqldialect

import (
	"testing"

	"github.com/markwatch/markwatch/internal/pgtest"
)

// The census and the schema tests share one throwaway cluster.
func TestMain(m *testing.M) { pgtest.Main(m) }

package distributedtest

import (
	"testing"

	"github.com/markwatch/markwatch/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

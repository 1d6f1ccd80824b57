package index_test

import (
	"testing"

	"github.com/markwatch/markwatch/internal/index/indextest"
)

func TestMain(m *testing.M) { indextest.Main(m) }

package evaluate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
	"github.com/markwatch/markwatch/internal/registry"
)

// loadMarks loads a registry file and hashes its reference images (paths
// relative to the file) with the hasher the crawler uses for listing
// photos, as `markwatch eval` does.
func loadMarks(t *testing.T, path string) []domain.Mark {
	t.Helper()
	marks, err := registry.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := registry.HashImages(os.DirFS(filepath.Dir(path)), ".", marks, imagesig.Hasher{}.Hash); err != nil {
		t.Fatal(err)
	}
	return marks
}

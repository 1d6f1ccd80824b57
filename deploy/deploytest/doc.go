// Package deploytest holds the structural tests of the deployment files under
// deploy/: the Compose file's services and roles, the Kubernetes manifests and
// their kustomizations, and every MARKWATCH_* variable they set, loaded
// through internal/config as the daemon would load it. It has no code of its
// own; it lives under deploy/ so that `go test ./...` runs it.
package deploytest

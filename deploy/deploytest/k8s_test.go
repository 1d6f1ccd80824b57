package deploytest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestK8s(t *testing.T) {
	checkK8s(filepath.Join(deployDir(t), "k8s")).report(t)
}

// TestK8sCheckFails breaks a copy of deploy/k8s in one way at a time and
// wants checkK8s to say so.
func TestK8sCheckFails(t *testing.T) {
	src := filepath.Join(deployDir(t), "k8s")
	cases := []struct {
		name, file, old, new, want string
	}{
		{"readiness path", "api.yaml", "path: /readyz", "path: /ready", "want /readyz"},
		{"liveness path", "scheduler.yaml", "livenessProbe:\n            httpGet: {path: /healthz", "livenessProbe:\n            httpGet: {path: /live", "want /healthz"},
		{"probe without Host", "worker.yaml", "readinessProbe:\n            httpGet: {path: /readyz, port: http, httpHeaders: [{name: Host, value: localhost}]}", "readinessProbe:\n            httpGet: {path: /readyz, port: http}", `sends Host ""`},
		{"probe on no port", "api.yaml", "readinessProbe:\n            httpGet: {path: /readyz, port: http,", "readinessProbe:\n            httpGet: {path: /readyz, port: 9090,", `port "9090"`},
		{"root", "worker.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot must be true"},
		{"writable root", "scheduler.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem"},
		{"capabilities kept", "api.yaml", "capabilities: {drop: [ALL]}", "capabilities: {drop: [NET_RAW]}", "drop ALL"},
		{"no tmp", "api.yaml", "            - {name: tmp, mountPath: /tmp} # case packets are assembled in a temporary dir\n", "", "/tmp is on the read-only root"},
		{"HPA on another name", "worker-hpa.yaml", "    name: markwatch-worker\n  minReplicas", "    name: markwatch-workers\n  minReplicas", "not the worker Deployment"},
		{"HPA on waiting jobs of another kind", "worker-hpa.yaml", "matchLabels: {kind: crawl_run}", "matchLabels: {kind: reindex}", `kind "reindex"`},
		{"HPA target apart from jobs.workers", "worker-hpa.yaml", `averageValue: "2"`, `averageValue: "5"`, "MARKWATCH_JOBS_WORKERS"},
		{"HPA v1", "worker-hpa.yaml", "apiVersion: autoscaling/v2", "apiVersion: autoscaling/v1", "autoscaling/v1"},
		{"worker replicas fight the HPA", "worker.yaml", "spec:\n  selector:", "spec:\n  replicas: 3\n  selector:", "sets replicas"},
		{"short grace", "worker.yaml", "terminationGracePeriodSeconds: 60", "terminationGracePeriodSeconds: 20", "terminationGracePeriodSeconds 20"},
		{"unknown role", "scheduler.yaml", "args: [serve, --role, scheduler]", "args: [serve, --role, leader]", "serve --role leader"},
		{"two schedulers", "worker.yaml", "args: [serve, --role, worker]", "args: [serve, --role, scheduler]", "one Deployment for --role worker"},
		{"worker holds the Meilisearch key", "worker.yaml", "            - name: POD_IP\n", "            - name: MARKWATCH_MEILISEARCH_API_KEY\n              valueFrom: {secretKeyRef: {name: markwatch, key: meili-master-key}}\n            - name: POD_IP\n", "worker needs no MARKWATCH_MEILISEARCH_API_KEY"},
		{"scheduler without auth.secret", "scheduler.yaml", "            - name: MARKWATCH_AUTH_SECRET\n              valueFrom: {secretKeyRef: {name: markwatch, key: auth-secret}}\n", "", "needs MARKWATCH_AUTH_SECRET"},
		{"secret key not in the template", "api.yaml", "key: meili-master-key}", "key: meili-key}", "key meili-key"},
		{"no such setting", "configmap.yaml", "MARKWATCH_JOBS_STOP_TIMEOUT: 30s", "MARKWATCH_JOBS_STOPTIMEOUT: 30s", "MARKWATCH_JOBS_STOPTIMEOUT"},
		{"invalid setting", "configmap.yaml", "MARKWATCH_JOBS_STOP_TIMEOUT: 30s", "MARKWATCH_JOBS_STOP_TIMEOUT: 30 seconds", "MARKWATCH_JOBS_STOP_TIMEOUT"},
		{"SQLite for the API", "api.yaml", "            - name: MARKWATCH_STORE_URL\n              valueFrom: {secretKeyRef: {name: markwatch, key: store-url}}\n", "", "needs MARKWATCH_STORE_URL=postgres://"},
		{"evidence on an emptyDir", "api.yaml", "        - name: evidence\n          persistentVolumeClaim: {claimName: markwatch-evidence}", "        - name: evidence\n          emptyDir: {}", "not on a shared PVC"},
		{"evidence claim read-write-once", "evidence-pvc.yaml", "accessModes: [ReadWriteMany]", "accessModes: [ReadWriteOnce]", "ReadWriteMany"},
		{"unlisted manifest", "kustomization.yaml", "  - worker-hpa.yaml\n", "", "worker-hpa.yaml is not listed"},
		{"listed, missing", "kustomization.yaml", "  - worker-hpa.yaml\n", "  - worker-hpa.yaml\n  - ingress.yaml\n", "ingress.yaml, which is missing"},
		{"namespace pinned", "kustomization.yaml", "kind: Kustomization\n", "kind: Kustomization\nnamespace: markwatch\n", "namespace-agnostic"},
		{"object namespace", "configmap.yaml", "  name: markwatch-control\n", "  name: markwatch-control\n  namespace: prod\n", "namespace-agnostic"},
		{"real secret in the template", "secret.env.example", "auth-secret=CHANGE-ME", "auth-secret=9f8e7d6c5b4a", "not a CHANGE-ME placeholder"},
		{"secret file not ignored", ".gitignore", "secret.env\n", "", ".gitignore must list"},
		{"service on no port", "api.yaml", "ports: [{port: 8080, targetPort: http, name: http}]", "ports: [{port: 8080, targetPort: web, name: http}]", `targets port "web"`},
		{"adapter sums", "prometheus-adapter/rules.yaml", "metricsQuery: 'max by", "metricsQuery: 'sum by", "take the max"},
		{"adapter serves another metric", "prometheus-adapter/rules.yaml", "as: markwatch_jobs", "as: markwatch_queue", "serves markwatch_jobs"},
		{"embedded probe", "embedded/markwatch.yaml", "readinessProbe:\n            httpGet: {path: /readyz", "readinessProbe:\n            httpGet: {path: /healthz", "want /readyz"},
		{"embedded root", "embedded/markwatch.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot must be true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := t.TempDir()
			copyTree(t, src, dst)
			edit(t, filepath.Join(dst, c.file), c.old, c.new)
			ps := checkK8s(dst)
			if !strings.Contains(strings.Join(ps, "\n"), c.want) {
				t.Errorf("checkK8s found %d problems, none saying %q:\n%s", len(ps), c.want, strings.Join(ps, "\n"))
			}
		})
	}
	t.Run("manifest without kustomization", func(t *testing.T) {
		dst := t.TempDir()
		copyTree(t, src, dst)
		if err := os.MkdirAll(filepath.Join(dst, "extra"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, "extra", "ingress.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if ps := checkK8s(dst); !strings.Contains(strings.Join(ps, "\n"), "no kustomization.yaml") {
			t.Errorf("checkK8s found none of an unlisted directory:\n%s", strings.Join(ps, "\n"))
		}
	})
}

package deploytest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestEveryYAMLParses decodes every YAML file under deploy/, whatever
// reads it, so a file no other check knows still cannot be broken YAML.
func TestEveryYAMLParses(t *testing.T) {
	root := deployDir(t)
	files, err := yamlFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d YAML files under %s: %v; is this deploy/?", len(files), root, files)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		docs, err := decodeDocs(data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
		} else if len(docs) == 0 {
			t.Errorf("%s: no YAML document", f)
		}
	}
	t.Logf("%d YAML files parse", len(files))
}

// TestDockerComposeConfig has Compose itself read the file in each profile,
// with only the embedded mode's env file variables, when it is installed.
func TestDockerComposeConfig(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		t.Log("docker is not on PATH: docker compose config -q not run (the structural checks ran)")
		return
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "docker", "compose", "version").CombinedOutput(); err != nil {
		t.Logf("docker has no compose plugin (%v: %s): docker compose config -q not run (the structural checks ran)", err, out)
		return
	}
	envFile := filepath.Join(t.TempDir(), "markwatch.env")
	if err := os.WriteFile(envFile, []byte("MEILI_MASTER_KEY="+composeBaseEnv()["MEILI_MASTER_KEY"]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	compose := filepath.Join(deployDir(t), "compose.yaml")
	for _, profile := range []string{"", "distributed", "migrate"} {
		args := []string{"compose", "-f", compose, "--env-file", envFile}
		if profile != "" {
			args = append(args, "--profile", profile)
		}
		args = append(args, "config", "-q")
		if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
			t.Errorf("docker %v: %v\n%s", args, err, out)
		}
	}
}

// TestKubectlKustomize builds every kustomization with kubectl, when it is
// installed, on a copy with secret.env made from its template, and wants
// every object of the manifests plus the generated Secrets out.
func TestKubectlKustomize(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Log("kubectl is not on PATH: kubectl kustomize not run (the structural checks ran)")
		return
	}
	root := t.TempDir()
	copyTree(t, filepath.Join(deployDir(t), "k8s"), root)
	var ps problems
	tree := loadK8s(&ps, root)
	ps.report(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	for _, b := range tree.bundles {
		dir := filepath.Join(root, b.dir)
		for _, g := range b.kust.SecretGenerator {
			for _, env := range g.Envs {
				data, err := os.ReadFile(filepath.Join(dir, env+".example"))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, env), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
		out, err := exec.CommandContext(ctx, "kubectl", "kustomize", dir).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Errorf("kubectl kustomize %s: %v\n%s", b.dir, err, stderr)
			continue
		}
		docs, err := decodeDocs(out)
		if err != nil {
			t.Errorf("kubectl kustomize %s printed what does not parse: %v", b.dir, err)
			continue
		}
		if want := len(b.objects) + len(b.kust.SecretGenerator); len(docs) != want {
			t.Errorf("kubectl kustomize %s: %d objects, want %d (the manifests' and the generated Secrets)", b.dir, len(docs), want)
		}
	}
}

package deploytest

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// bundle is one kustomization directory and the objects of its manifests.
type bundle struct {
	dir     string // relative to deploy/k8s; "." for the top
	kust    kustomization
	objects []*k8sObject
}

// k8sTree is every bundle under deploy/k8s, and the keys of the Secrets
// their generators make, from the .example files (the real ones are not in
// git). A Secret name is shared across bundles: the embedded mode reads the
// key meili-master-key of the Secret the distributed mode's generator makes.
type k8sTree struct {
	bundles    []*bundle
	secretKeys map[string]map[string]string // Secret → key → example value
}

// knownKinds are the apiVersion of each kind the manifests may use.
func knownKind(apiVersion, kind string) bool {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment", "apps/v1 StatefulSet",
		"v1 Service", "v1 ConfigMap", "v1 Secret", "v1 PersistentVolumeClaim",
		"autoscaling/v2 HorizontalPodAutoscaler":
		return true
	}
	return false
}

// loadK8s reads every directory under root: each holding manifests must
// have a kustomization.yaml listing exactly its manifests.
func loadK8s(ps *problems, root string) *k8sTree {
	tree := &k8sTree{secretKeys: map[string]map[string]string{}}
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, path)
		}
		return err
	})
	if err != nil {
		ps.add("walking %s: %v", root, err)
		return tree
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		if b := loadBundle(ps, tree, dir, rel); b != nil {
			tree.bundles = append(tree.bundles, b)
		}
	}
	return tree
}

func loadBundle(ps *problems, tree *k8sTree, dir, rel string) *bundle {
	entries, err := os.ReadDir(dir)
	if err != nil {
		ps.add("reading %s: %v", rel, err)
		return nil
	}
	var manifests []string
	hasKust := false
	for _, e := range entries {
		switch n := e.Name(); {
		case e.IsDir():
		case n == "kustomization.yaml":
			hasKust = true
		case strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml"):
			manifests = append(manifests, n)
		}
	}
	if !hasKust {
		if len(manifests) > 0 {
			ps.add("k8s %s: manifests %v and no kustomization.yaml listing them", rel, manifests)
		}
		return nil
	}
	b := &bundle{dir: rel}
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err == nil {
		err = yaml.Unmarshal(data, &b.kust)
	}
	if err != nil {
		ps.add("k8s %s/kustomization.yaml: %v", rel, err)
		return nil
	}
	checkKustomization(ps, tree, b, dir, manifests)
	for _, m := range manifests {
		b.objects = append(b.objects, loadManifest(ps, filepath.Join(dir, m), filepath.Join(rel, m))...)
	}
	return b
}

// checkKustomization holds a kustomization to its directory: every
// manifest listed, nothing listed that is not there, no namespace (the
// manifests are namespace-agnostic), generated Secrets from files git
// ignores with a placeholder .example beside them.
func checkKustomization(ps *problems, tree *k8sTree, b *bundle, dir string, manifests []string) {
	where := "k8s " + filepath.Join(b.dir, "kustomization.yaml")
	if b.kust.APIVersion != "kustomize.config.k8s.io/v1beta1" || b.kust.Kind != "Kustomization" {
		ps.add("%s: apiVersion %q kind %q, want kustomize.config.k8s.io/v1beta1 Kustomization", where, b.kust.APIVersion, b.kust.Kind)
	}
	if b.kust.Namespace != "" {
		ps.add("%s: sets namespace %q; the manifests are namespace-agnostic (kubectl apply -n)", where, b.kust.Namespace)
	}
	for _, r := range b.kust.Resources {
		st, err := os.Stat(filepath.Join(dir, r))
		switch {
		case err != nil:
			ps.add("%s: lists %s, which is missing", where, r)
		case st.IsDir():
			if _, err := os.Stat(filepath.Join(dir, r, "kustomization.yaml")); err != nil {
				ps.add("%s: lists the directory %s, which has no kustomization.yaml", where, r)
			}
		case !slices.Contains(manifests, r):
			ps.add("%s: lists %s, which is not a manifest of this directory", where, r)
		}
	}
	for _, m := range manifests {
		if !slices.Contains(b.kust.Resources, m) {
			ps.add("%s: %s is not listed in resources", where, m)
		}
	}
	for _, g := range b.kust.SecretGenerator {
		for _, env := range g.Envs {
			keys := readExample(ps, where, filepath.Join(dir, env+".example"))
			if tree.secretKeys[g.Name] == nil {
				tree.secretKeys[g.Name] = map[string]string{}
			}
			for k, v := range keys {
				tree.secretKeys[g.Name][k] = v
			}
			if !ignored(filepath.Join(dir, ".gitignore"), env) {
				ps.add("%s: the Secret %s comes from %s, which %s/.gitignore must list so real secrets stay out of git", where, g.Name, env, b.dir)
			}
		}
	}
}

// readExample reads a KEY=value file, every value a placeholder.
func readExample(ps *problems, where, path string) map[string]string {
	data, err := os.ReadFile(path)
	if err != nil {
		ps.add("%s: a generated Secret's template: %v", where, err)
		return nil
	}
	keys := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			ps.add("%s: %q is not KEY=value", path, line)
			continue
		}
		if !strings.Contains(v, "CHANGE-ME") {
			ps.add("%s: %s=%q is not a CHANGE-ME placeholder; a template holds no real secret", path, k, v)
		}
		keys[k] = v
	}
	return keys
}

func ignored(gitignore, name string) bool {
	data, err := os.ReadFile(gitignore)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if l := strings.TrimSpace(line); l == name || l == "/"+name {
			return true
		}
	}
	return false
}

// loadManifest decodes every object of a manifest file.
func loadManifest(ps *problems, path, rel string) []*k8sObject {
	data, err := os.ReadFile(path)
	if err != nil {
		ps.add("reading %s: %v", rel, err)
		return nil
	}
	docs, err := decodeDocs(data)
	if err != nil {
		ps.add("k8s %s: %v", rel, err)
		return nil
	}
	var out []*k8sObject
	for _, d := range docs {
		o := &k8sObject{file: rel, node: d}
		if err := d.Decode(o); err != nil {
			ps.add("k8s %s: %v", rel, err)
			continue
		}
		if !knownKind(o.APIVersion, o.Kind) {
			ps.add("k8s %s: apiVersion %q kind %q is not one these manifests use (apps/v1 Deployment, autoscaling/v2 HorizontalPodAutoscaler, …)", rel, o.APIVersion, o.Kind)
		}
		if o.Metadata.Name == "" {
			ps.add("k8s %s: a %s without a name", rel, o.Kind)
		}
		if o.Metadata.Namespace != "" {
			ps.add("k8s %s: %s %s sets namespace %q; the manifests are namespace-agnostic", rel, o.Kind, o.Metadata.Name, o.Metadata.Namespace)
		}
		out = append(out, o)
	}
	return out
}

// of lists a bundle's objects of one kind.
func (b *bundle) of(kind string) []*k8sObject {
	var out []*k8sObject
	for _, o := range b.objects {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

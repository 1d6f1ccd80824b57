package deploytest

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// pod is what the checks learnt of one markwatch workload.
type pod struct {
	obj      *k8sObject
	w        workload
	c        container
	role     string
	env      map[string]string
	evidence string // the PVC evidence.dir is on, or ""
}

func (p pod) where() string {
	return fmt.Sprintf("k8s %s: %s %s", p.obj.file, p.obj.Kind, p.obj.Metadata.Name)
}

// checkWorkloads checks every Deployment and StatefulSet running markwatch.
func checkWorkloads(ps *problems, tree *k8sTree, b *bundle) []pod {
	var pods []pod
	for _, o := range b.objects {
		if o.Kind != "Deployment" && o.Kind != "StatefulSet" {
			continue
		}
		var w workload
		if err := o.node.Decode(&w); err != nil {
			ps.add("k8s %s: %v", o.file, err)
			continue
		}
		for k, v := range w.Spec.Selector.MatchLabels {
			if w.Spec.Template.Metadata.Labels[k] != v {
				ps.add("k8s %s: %s %s selects %s=%s, which its pods do not carry", o.file, o.Kind, o.Metadata.Name, k, v)
			}
		}
		for _, c := range w.Spec.Template.Spec.Containers {
			if strings.HasPrefix(c.Image, "markwatch:") || c.Image == "markwatch" {
				pods = append(pods, checkPod(ps, tree, b, pod{obj: o, w: w, c: c}))
			}
		}
	}
	return pods
}

// checkPod checks one markwatch container and the pod around it.
func checkPod(ps *problems, tree *k8sTree, b *bundle, p pod) pod {
	spec := p.w.Spec.Template.Spec
	c := p.c
	args := append(slices.Clone(c.Command), c.Args...)
	role, ok := serveRole(args)
	if !ok || !isRole(role) {
		ps.add("%s: runs %q; want serve --role all, scheduler, worker or api", p.where(), strings.Join(args, " "))
	}
	p.role = role
	nonRoot := spec.SecurityContext.RunAsNonRoot
	if c.SecurityContext != nil && c.SecurityContext.RunAsNonRoot != nil {
		nonRoot = c.SecurityContext.RunAsNonRoot
	}
	if nonRoot == nil || !*nonRoot {
		ps.add("%s: runAsNonRoot must be true", p.where())
	}
	sc := c.SecurityContext
	switch {
	case sc == nil:
		ps.add("%s: container %s has no securityContext", p.where(), c.Name)
	default:
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			ps.add("%s: readOnlyRootFilesystem must be true (the daemon writes only its data dir, evidence dir and /tmp)", p.where())
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			ps.add("%s: allowPrivilegeEscalation must be false", p.where())
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			ps.add("%s: capabilities must drop ALL", p.where())
		}
	}
	if len(c.Resources.Requests) == 0 {
		ps.add("%s: no resource requests", p.where())
	}
	checkProbe(ps, p, "readinessProbe", c.ReadinessProbe, "/readyz")
	checkProbe(ps, p, "livenessProbe", c.LivenessProbe, "/healthz")
	if c.StartupProbe != nil {
		checkProbe(ps, p, "startupProbe", c.StartupProbe, "/healthz")
	}
	var env []string
	p.env, env = podEnv(ps, tree, b, p)
	if ok && isRole(role) {
		checkSettings(ps, p.where(), role, env)
	}
	p.evidence = checkMounts(ps, p)
	return p
}

// checkProbe wants an HTTP probe of path on a port of the container, naming
// a host the daemon always answers: it refuses Host names not in http.hosts
// with 421, and the kubelet would send the pod's IP.
func checkProbe(ps *problems, p pod, name string, pr *probe, path string) {
	if pr == nil || pr.HTTPGet == nil {
		ps.add("%s: no HTTP %s on %s", p.where(), name, path)
		return
	}
	g := pr.HTTPGet
	if g.Path != path {
		ps.add("%s: %s on %s, want %s", p.where(), name, g.Path, path)
	}
	if !hasPort(p.c, g.Port) {
		ps.add("%s: %s port %q is not a port of the container", p.where(), name, g.Port.Value)
	}
	host := ""
	for _, h := range g.HTTPHeaders {
		if strings.EqualFold(h.Name, "Host") {
			host = h.Value
		}
	}
	if host != "localhost" && host != "127.0.0.1" && host != "::1" {
		ps.add("%s: %s sends Host %q; name localhost (always in http.hosts) or the daemon answers 421", p.where(), name, host)
	}
}

func hasPort(c container, port yaml.Node) bool {
	for _, cp := range c.Ports {
		if port.Value == cp.Name || port.Value == strconv.Itoa(cp.ContainerPort) {
			return true
		}
	}
	return false
}

// podIP stands for status.podIP.
const podIP = "10.0.0.7"

var kubeRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// podEnv is the container's environment as the kubelet builds it: envFrom
// first, then env in order, $(VAR) expanded from what came before.
func podEnv(ps *problems, tree *k8sTree, b *bundle, p pod) (map[string]string, []string) {
	vars := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vars[k]; !ok {
			order = append(order, k)
		}
		vars[k] = v
	}
	for _, from := range p.c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm := configMap(b, from.ConfigMapRef.Name)
			if cm == nil {
				ps.add("%s: envFrom ConfigMap %s, which the bundle does not make", p.where(), from.ConfigMapRef.Name)
			}
			for _, k := range sortedKeys(cm) {
				set(k, cm[k])
			}
		case from.SecretRef != nil:
			keys, ok := tree.secretKeys[from.SecretRef.Name]
			if !ok {
				ps.add("%s: envFrom Secret %s, which no generator makes", p.where(), from.SecretRef.Name)
			}
			for _, k := range sortedKeys(keys) {
				set(k, keys[k])
			}
		}
	}
	for _, e := range p.c.Env {
		v := kubeRef.ReplaceAllStringFunc(e.Value, func(m string) string {
			if val, ok := vars[m[2:len(m)-1]]; ok {
				return val
			}
			return m // the kubelet leaves an unknown reference as written
		})
		if f := e.ValueFrom; f != nil {
			switch {
			case f.SecretKeyRef != nil:
				val, ok := tree.secretKeys[f.SecretKeyRef.Name][f.SecretKeyRef.Key]
				if !ok {
					ps.add("%s: %s from Secret %s key %s, which its template (secret.env.example) does not have", p.where(), e.Name, f.SecretKeyRef.Name, f.SecretKeyRef.Key)
				}
				v = val
			case f.ConfigMapKeyRef != nil:
				val, ok := configMap(b, f.ConfigMapKeyRef.Name)[f.ConfigMapKeyRef.Key]
				if !ok {
					ps.add("%s: %s from ConfigMap %s key %s, which does not exist", p.where(), e.Name, f.ConfigMapKeyRef.Name, f.ConfigMapKeyRef.Key)
				}
				v = val
			case f.FieldRef != nil && f.FieldRef.FieldPath == "status.podIP":
				v = podIP
			}
		}
		set(e.Name, v)
	}
	env := make([]string, len(order))
	for i, k := range order {
		env[i] = k + "=" + vars[k]
	}
	return vars, env
}

func configMap(b *bundle, name string) map[string]string {
	for _, o := range b.of("ConfigMap") {
		if o.Metadata.Name == name {
			if o.Data == nil {
				return map[string]string{}
			}
			return o.Data
		}
	}
	return nil
}

// checkMounts wants the directories the daemon writes on volumes, the root
// file system being read-only, and returns the PVC holding evidence.dir.
func checkMounts(ps *problems, p pod) string {
	spec := p.w.Spec.Template.Spec
	claims := map[string]string{} // volume → PVC, "" for other kinds
	for _, v := range spec.Volumes {
		claims[v.Name] = ""
		if v.PersistentVolumeClaim != nil {
			claims[v.Name] = v.PersistentVolumeClaim.ClaimName
		}
	}
	for _, t := range p.w.Spec.VolumeClaimTemplates {
		claims[t.Metadata.Name] = "(per replica)"
	}
	dataDir := p.env["MARKWATCH_DATA_DIR"]
	if dataDir == "" {
		dataDir = "/var/lib/markwatch" // the Dockerfile's ENV
	}
	evidenceDir := p.env["MARKWATCH_EVIDENCE_DIR"]
	if evidenceDir == "" {
		evidenceDir = path.Join(dataDir, "evidence")
	}
	for _, m := range p.c.VolumeMounts {
		if _, ok := claims[m.Name]; !ok {
			ps.add("%s: mounts volume %s, which the pod does not declare", p.where(), m.Name)
		}
	}
	// volumeAt is the claim of the deepest mount holding dir.
	volumeAt := func(dir string) (claim string, ok bool) {
		best := ""
		for _, m := range p.c.VolumeMounts {
			under := dir == m.MountPath || strings.HasPrefix(dir, strings.TrimSuffix(m.MountPath, "/")+"/")
			if under && len(m.MountPath) > len(best) {
				best, claim, ok = m.MountPath, claims[m.Name], true
			}
		}
		return claim, ok
	}
	for _, dir := range []string{dataDir, "/tmp"} {
		if _, ok := volumeAt(dir); !ok {
			ps.add("%s: %s is on the read-only root file system; mount a volume there", p.where(), dir)
		}
	}
	claim, ok := volumeAt(evidenceDir)
	if !ok {
		ps.add("%s: evidence.dir %s is on the read-only root file system; mount a volume there", p.where(), evidenceDir)
	}
	return claim
}

package deploytest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// checkK8s checks every bundle under root and what crosses them (the
// adapter rule serving the autoscaler's metric).
func checkK8s(root string) problems {
	var ps problems
	tree := loadK8s(&ps, root)
	served := adapterMetrics(&ps, tree)
	for _, b := range tree.bundles {
		pods := checkWorkloads(&ps, tree, b)
		checkServices(&ps, b, pods)
		checkDistributed(&ps, b, pods, served)
	}
	return ps
}

// checkServices wants every Service to select a markwatch workload's pods
// and target one of its ports.
func checkServices(ps *problems, b *bundle, pods []pod) {
	for _, o := range b.of("Service") {
		var s service
		if err := o.node.Decode(&s); err != nil {
			ps.add("k8s %s: %v", o.file, err)
			continue
		}
		var target *pod
		for i, p := range pods {
			if len(s.Spec.Selector) > 0 && subset(s.Spec.Selector, p.w.Spec.Template.Metadata.Labels) {
				target = &pods[i]
			}
		}
		if target == nil {
			continue // Meilisearch's, checked by its image elsewhere
		}
		for _, port := range s.Spec.Ports {
			tp := port.TargetPort
			if tp.Value == "" {
				tp.Value = strconv.Itoa(port.Port)
			}
			if !hasPort(target.c, tp) {
				ps.add("k8s %s: Service %s targets port %q, which %s does not have", o.file, o.Metadata.Name, tp.Value, target.obj.Metadata.Name)
			}
		}
	}
}

func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// checkDistributed checks a bundle running roles other than all: one
// Deployment per role, the API behind a Service, evidence on one shared
// PVC, workers stopping within their grace period and scaled by an HPA on
// the crawl queue.
func checkDistributed(ps *problems, b *bundle, pods []pod, served map[string]bool) {
	byRole := map[string][]pod{}
	for _, p := range pods {
		byRole[p.role] = append(byRole[p.role], p)
	}
	if len(byRole["scheduler"])+len(byRole["worker"])+len(byRole["api"]) == 0 {
		return
	}
	where := "k8s " + b.dir
	for _, role := range []string{"scheduler", "api", "worker"} {
		if n := len(byRole[role]); n != 1 || byRole[role][0].obj.Kind != "Deployment" {
			ps.add("%s: want one Deployment for --role %s, have %d", where, role, n)
		}
	}
	if len(byRole["all"]) > 0 {
		ps.add("%s: --role all beside the distributed roles; the embedded mode is a bundle of its own", where)
	}
	claims := map[string]bool{}
	for _, p := range pods {
		if p.evidence == "" || p.evidence == "(per replica)" {
			ps.add("%s: evidence.dir is not on a shared PVC; workers write artefacts the API serves", p.where())
			continue
		}
		claims[p.evidence] = true
	}
	if len(claims) > 1 {
		ps.add("%s: evidence.dir on different PVCs %v; one volume must hold every pod's artefacts", where, sortedKeys(claims))
	}
	for claim := range claims {
		checkEvidenceClaim(ps, b, claim)
	}
	if len(byRole["worker"]) == 1 {
		checkWorker(ps, b, byRole["worker"][0], served)
	}
}

func checkEvidenceClaim(ps *problems, b *bundle, name string) {
	for _, o := range b.of("PersistentVolumeClaim") {
		if o.Metadata.Name != name {
			continue
		}
		var c pvc
		if err := o.node.Decode(&c); err != nil {
			ps.add("k8s %s: %v", o.file, err)
		} else if !slices.Contains(c.Spec.AccessModes, "ReadWriteMany") {
			ps.add("k8s %s: PVC %s is %v; pods on several nodes mount it: ReadWriteMany", o.file, name, c.Spec.AccessModes)
		}
		return
	}
	ps.add("k8s %s: the evidence PVC %s is not in the bundle", b.dir, name)
}

// checkWorker wants the worker's grace period to cover jobs.stop_timeout
// and one HPA scaling it on markwatch_jobs, one worker per jobs.workers
// crawl jobs.
func checkWorker(ps *problems, b *bundle, w pod, served map[string]bool) {
	env := make([]string, 0, len(w.env))
	for _, k := range sortedKeys(w.env) {
		env = append(env, k+"="+w.env[k])
	}
	cfg, err := loadEnv(env)
	if err != nil {
		return // checkSettings has said why
	}
	grace := w.w.Spec.Template.Spec.TerminationGracePeriodSeconds
	if grace == nil || time.Duration(*grace)*time.Second < cfg.Jobs.StopTimeout+10*time.Second {
		ps.add("%s: terminationGracePeriodSeconds %v, want at least jobs.stop_timeout %s + 10s so running crawls are handed back before the kill", w.where(), deref(grace), cfg.Jobs.StopTimeout)
	}
	var targeting []*k8sObject
	for _, o := range b.of("HorizontalPodAutoscaler") {
		var h hpa
		if err := o.node.Decode(&h); err != nil {
			ps.add("k8s %s: %v", o.file, err)
			continue
		}
		ref := h.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" || ref.Name != w.obj.Metadata.Name {
			ps.add("k8s %s: HPA %s scales %s %s %s, not the worker Deployment %s", o.file, o.Metadata.Name, ref.APIVersion, ref.Kind, ref.Name, w.obj.Metadata.Name)
			continue
		}
		targeting = append(targeting, o)
		checkHPA(ps, o, h, cfg.Jobs.Workers, served)
	}
	if len(targeting) != 1 {
		ps.add("%s: %d HPAs scale the workers, want one", w.where(), len(targeting))
	}
	if len(targeting) > 0 && w.w.Spec.Replicas != nil {
		ps.add("%s: sets replicas while an HPA scales it; every apply would undo the HPA's count", w.where())
	}
}

func deref(p *int) string {
	if p == nil {
		return "unset"
	}
	return strconv.Itoa(*p)
}

// checkHPA wants the crawl queue's depth as the metric: markwatch_jobs of
// kind crawl_run, waiting (available) at least, served by an adapter rule,
// one worker per jobs.workers jobs.
func checkHPA(ps *problems, o *k8sObject, h hpa, perWorker int, served map[string]bool) {
	where := fmt.Sprintf("k8s %s: HPA %s", o.file, o.Metadata.Name)
	if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 1 || h.Spec.MaxReplicas < *h.Spec.MinReplicas {
		ps.add("%s: minReplicas %s maxReplicas %d, want 1 ≤ min ≤ max", where, deref(h.Spec.MinReplicas), h.Spec.MaxReplicas)
	}
	found := false
	for _, m := range h.Spec.Metrics {
		if m.Type != "External" || m.External == nil || m.External.Metric.Name != "markwatch_jobs" {
			continue
		}
		found = true
		sel := m.External.Metric.Selector
		states := []string{sel.MatchLabels["state"]}
		for _, e := range sel.MatchExpressions {
			if e.Key == "state" && e.Operator == "In" {
				states = append(states, e.Values...)
			}
		}
		if sel.MatchLabels["kind"] != "crawl_run" || !slices.Contains(states, "available") {
			ps.add("%s: markwatch_jobs selects kind %q states %v; want kind crawl_run with the waiting (available) jobs", where, sel.MatchLabels["kind"], states)
		}
		if t := m.External.Target; t.Type != "AverageValue" || t.AverageValue != strconv.Itoa(perWorker) {
			ps.add("%s: target %s %q; want AverageValue %d, jobs.workers (MARKWATCH_JOBS_WORKERS): one worker per that many jobs", where, t.Type, t.AverageValue, perWorker)
		}
		if !served["markwatch_jobs"] {
			ps.add("%s: no Prometheus Adapter external rule under deploy/k8s serves markwatch_jobs", where)
		}
	}
	if !found {
		ps.add("%s: does not scale on the external metric markwatch_jobs", where)
	}
}

// adapterMetrics lists the metrics the Prometheus Adapter rules in the
// tree's ConfigMaps serve, checking each rule serves them per namespace
// and takes the max over the processes exporting the same queue depth.
func adapterMetrics(ps *problems, tree *k8sTree) map[string]bool {
	served := map[string]bool{}
	for _, b := range tree.bundles {
		for _, o := range b.of("ConfigMap") {
			text, ok := o.Data["config.yaml"]
			if !ok {
				continue
			}
			var cfg adapterConfig
			if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
				ps.add("k8s %s: the adapter's config.yaml: %v", o.file, err)
				continue
			}
			for _, r := range cfg.ExternalRules {
				name := r.Name.As
				if name == "" {
					name, _, _ = strings.Cut(r.SeriesQuery, "{")
				}
				served[name] = true
				if r.Resources.Overrides["namespace"].Resource != "namespace" {
					ps.add("k8s %s: the rule for %s does not map the namespace label; one installation's queue would scale another's workers", o.file, name)
				}
				if !strings.HasPrefix(strings.TrimSpace(r.MetricsQuery), "max") {
					ps.add("k8s %s: the rule for %s queries %q; every process may export the same queue depth, so take the max per (kind, state)", o.file, name, r.MetricsQuery)
				}
			}
		}
	}
	return served
}

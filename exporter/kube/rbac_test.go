package kube

import (
	"errors"
	"io"
	"maps"
	"os"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
)

// clusterRoles reads the ClusterRoles of a manifest file, by name.
func clusterRoles(t *testing.T, path string) map[string][]rbacv1.PolicyRule {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewYAMLOrJSONDecoder(f, 4096)
	roles := map[string][]rbacv1.PolicyRule{}
	for {
		var role rbacv1.ClusterRole
		err := dec.Decode(&role)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if role.Kind == "ClusterRole" {
			roles[role.Name] = role.Rules
		}
	}
	return roles
}

// granted lists what the rules grant as "group/resource verb" strings.
func granted(rules []rbacv1.PolicyRule) []string {
	var out []string
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					out = append(out, g+"/"+res+" "+v)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func wanted(grs []GroupResource) []string {
	var out []string
	for _, gr := range grs {
		for _, v := range []string{"get", "list", "watch"} {
			out = append(out, gr.Group+"/"+gr.Resource+" "+v)
		}
	}
	slices.Sort(out)
	return out
}

// The shipped ClusterRoles grant get, list and watch on exactly the
// resources each mode watches: nothing more (least privilege), nothing less
// (a forbidden resource would report success 0 forever). The kustomize base
// of the full deployment includes these files; the Helm chart's copy is
// checked against the API server by e2e TestDeployManifestsAgainstAPIServer.
func TestRBACManifests(t *testing.T) {
	want := map[string][]string{
		"nexclipper-exporter-cluster": wanted(ClusterResources()),
		"nexclipper-exporter-node":    wanted([]GroupResource{{podIdentityResource.Group, podIdentityResource.Name}}),
	}
	for _, tc := range []struct {
		path  string
		roles []string
	}{
		{"../../deploy/kubernetes/rbac/cluster.yaml", []string{"nexclipper-exporter-cluster"}},
		{"../../deploy/kubernetes/rbac/node.yaml", []string{"nexclipper-exporter-node"}},
	} {
		roles := clusterRoles(t, tc.path)
		if len(roles) != len(tc.roles) {
			t.Errorf("%s: ClusterRoles %v, want %v", tc.path, slices.Collect(maps.Keys(roles)), tc.roles)
		}
		for _, name := range tc.roles {
			if got := granted(roles[name]); !slices.Equal(got, want[name]) {
				t.Errorf("%s: %s grants\n  %v\nthe code watches\n  %v", tc.path, name, got, want[name])
			}
		}
	}
}

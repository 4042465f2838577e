package kubefixture

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// CgroupTree copies the cgroup fixture tree src (exporter/cgroup/testdata/v1,
// ...) to dst, renaming the pod UIDs in directory names by uids (fixture UID
// -> UID of a pod created in the API server), in both the cgroupfs form
// ("pod<uid>") and the systemd form ("pod<uid with _>"). The API server
// chooses pod UIDs, so a tree whose pods it knows has to be made this way.
func CgroupTree(dst, src string, uids map[string]string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		for old, uid := range uids {
			rel = strings.ReplaceAll(rel, old, uid)
			rel = strings.ReplaceAll(rel, strings.ReplaceAll(old, "-", "_"), strings.ReplaceAll(uid, "-", "_"))
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// SetContainerID gives container c of p the runtime ID id (64 hex, as in
// the cgroup tree) under runtime ("containerd", "cri-o", "docker").
func SetContainerID(p *corev1.Pod, c, runtime, id string) error {
	for i := range p.Status.ContainerStatuses {
		if p.Status.ContainerStatuses[i].Name == c {
			p.Status.ContainerStatuses[i].ContainerID = runtime + "://" + id
			return nil
		}
	}
	return fmt.Errorf("kubefixture: pod %s has no container %s", p.Name, c)
}

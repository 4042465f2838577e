package cgroup

import "strings"

// Identity of a container found in a cgroup path.
type Identity struct {
	// ContainerID is the bare 64-hex container ID, without runtime prefix.
	ContainerID string
	// PodUID is the Kubernetes pod UID (lowercase, with dashes; 32 hex for
	// static pods), "" when the container is not in a pod.
	PodUID string
	// Runtime is "containerd", "crio", "docker" or "podman".
	Runtime string
}

// Runtime names reported in Identity.Runtime.
const (
	runtimeContainerd = "containerd"
	runtimeCRIO       = "crio"
	runtimeDocker     = "docker"
	runtimePodman     = "podman"
)

// runtimePrefixes are the prefixes runtimes put before the container ID in
// the cgroup name (systemd scopes "docker-<id>.scope", CRI-O's cgroupfs
// "crio-<id>"). Decoys such as "crio-conmon-<id>.scope" and
// "libpod-conmon-<id>.scope" fail the 64-hex check after the prefix.
var runtimePrefixes = [...]struct{ prefix, runtime string }{
	{"cri-containerd-", runtimeContainerd},
	{"crio-", runtimeCRIO},
	{"docker-", runtimeDocker},
	{"libpod-", runtimePodman},
}

// ParseIdentity extracts a container identity from a cgroup path relative to
// the hierarchy root (e.g. "/kubepods/burstable/pod<uid>/<64hex>"); ok is
// false for paths that are not a container (root, system.slice services,
// user slices, pod-level cgroups, kubepods QoS slices, crio-conmon scopes).
//
// Only the last path element decides whether the path is a container, so a
// child of a container (crun's "container" subgroup, a nested init.scope) is
// not one. The pod UID comes from the nearest ancestor that names a pod.
//
// A bare 64-hex name carries no runtime. Under a "docker" parent it is
// Docker's cgroupfs layout; anywhere else (kubelet's cgroupfs driver, where
// containerd, cri-dockerd and others all use bare IDs, or a containerd
// namespace such as /k8s.io/<id>) it is reported as "containerd", the most
// common runtime there, because nothing in the path tells them apart.
func ParseIdentity(path string) (id Identity, ok bool) {
	path = strings.Trim(path, "/")
	if path == "" {
		return Identity{}, false
	}
	elems := strings.Split(path, "/")
	last := len(elems) - 1
	cid, runtime, ok := parseContainerElem(elems[last])
	if !ok {
		return Identity{}, false
	}
	if runtime == "" {
		runtime = runtimeContainerd
		if last > 0 && elems[last-1] == "docker" {
			runtime = runtimeDocker
		}
	}
	id = Identity{ContainerID: cid, Runtime: runtime}
	for i := last - 1; i >= 0; i-- {
		if uid, ok := parsePodElem(elems[i]); ok {
			id.PodUID = uid
			break
		}
	}
	return id, true
}

// parseContainerElem recognises one cgroup name as a container: a bare
// 64-hex ID (runtime "") or a known runtime prefix plus the ID, with an
// optional ".scope" suffix from the systemd driver.
func parseContainerElem(elem string) (cid, runtime string, ok bool) {
	name := strings.TrimSuffix(elem, ".scope")
	if isContainerID(name) {
		return name, "", true
	}
	for _, p := range runtimePrefixes {
		if rest, found := strings.CutPrefix(name, p.prefix); found && isContainerID(rest) {
			return rest, p.runtime, true
		}
	}
	return "", "", false
}

// parsePodElem recognises a pod-level cgroup name: "pod<uid>" (cgroupfs
// driver) or "kubepods[-<qos>]-pod<uid with _ for ->.slice" (systemd driver).
func parsePodElem(elem string) (uid string, ok bool) {
	var raw string
	switch {
	case strings.HasPrefix(elem, "pod"):
		raw = elem[len("pod"):]
	case strings.HasPrefix(elem, "kubepods-") && strings.HasSuffix(elem, ".slice"):
		name := strings.TrimSuffix(elem, ".slice")
		i := strings.LastIndex(name, "-pod")
		if i < 0 {
			return "", false
		}
		raw = name[i+len("-pod"):]
	default:
		return "", false
	}
	// systemd escapes "-" in unit names, so the driver writes the UID with "_".
	uid = strings.ToLower(strings.ReplaceAll(raw, "_", "-"))
	if !isPodUID(uid) {
		return "", false
	}
	return uid, true
}

// isContainerID reports a 64-char lowercase hex string: the ID shape of
// Docker, containerd, CRI-O and podman. Shorter hex names (this host's
// /process_api/<32hex>) are not containers.
func isContainerID(s string) bool {
	return len(s) == 64 && isLowerHex(s)
}

// isPodUID accepts an RFC 4122 UUID (API-created pods) or 32 hex (the
// config hash kubelet uses as UID of static pods).
func isPodUID(s string) bool {
	switch len(s) {
	case 32:
		return isLowerHex(s)
	case 36:
		for i := 0; i < len(s); i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if s[i] != '-' {
					return false
				}
			} else if !isHexDigit(s[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f'
}

package cgroup

import "testing"

func TestParseIdentity(t *testing.T) {
	const (
		cid     = "b8225c1845d6306705e3e075acc01bd7ca9cadaac02f07f627edbf7c7cbe939f"
		uid     = "6a1f0c2e-8d4b-4f7a-9c3e-2b5d7e9f1a04"
		uidUnd  = "6a1f0c2e_8d4b_4f7a_9c3e_2b5d7e9f1a04"
		static  = "8f4a4d1a3b0e7c7e0d1e2f3a4b5c6d7e" // static pod UID: config hash
		podSlug = "kubepods-burstable-pod" + uidUnd + ".slice"
	)
	f := func(path string, want Identity, wantOK bool) {
		t.Helper()
		got, ok := ParseIdentity(path)
		if ok != wantOK || got != want {
			t.Errorf("ParseIdentity(%q) = %+v, %v; want %+v, %v", path, got, ok, want, wantOK)
		}
	}
	yes := func(path, pod, runtime string) { t.Helper(); f(path, Identity{cid, pod, runtime}, true) }
	no := func(path string) { t.Helper(); f(path, Identity{}, false) }

	// kubelet cgroupfs driver: bare IDs (containerd by default), crio- prefix.
	yes("/kubepods/pod"+uid+"/"+cid, uid, "containerd")
	yes("/kubepods/burstable/pod"+uid+"/"+cid, uid, "containerd")
	yes("/kubepods/besteffort/pod"+uid+"/crio-"+cid, uid, "crio")
	yes("/kubepods/burstable/pod"+uid+"/"+cid+"/", uid, "containerd") // trailing slash
	yes("/kubepods/burstable/pod"+static+"/"+cid, static, "containerd")
	yes("/kubepods/burstable/pod"+"6A1F0C2E-8D4B-4F7A-9C3E-2B5D7E9F1A04"+"/"+cid, uid, "containerd") // UID lowercased
	// kubelet systemd driver.
	yes("/kubepods.slice/kubepods-burstable.slice/"+podSlug+"/cri-containerd-"+cid+".scope", uid, "containerd")
	yes("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"+uidUnd+".slice/crio-"+cid+".scope", uid, "crio")
	yes("/kubepods.slice/kubepods-burstable.slice/"+podSlug+"/docker-"+cid+".scope", uid, "docker")
	yes("/kubepods.slice/kubepods-pod"+uidUnd+".slice/cri-containerd-"+cid+".scope", uid, "containerd") // guaranteed
	// Plain Docker and podman.
	yes("/docker/"+cid, "", "docker")
	yes("/system.slice/docker-"+cid+".scope", "", "docker")
	yes("/machine.slice/libpod-"+cid+".scope", "", "podman")
	yes("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"+cid+".scope", "", "podman")
	yes("/libpod_parent/libpod-"+cid, "", "podman")
	// kind / Docker-in-Docker: the inner container is under a node container.
	yes("/docker/"+"44b317d826b2d53c344ee49e3fe4686613870c72d811dfd8ec1645d4579f6a47"+"/kubepods/besteffort/pod"+uid+"/"+cid, uid, "containerd")
	// Relative path without the leading slash.
	yes("docker/"+cid, "", "docker")

	// Not containers.
	no("")
	no("/")
	no("/system.slice/ssh.service")
	no("/system.slice/docker.service")
	no("/system.slice/containerd.service")
	no("/user.slice/user-1000.slice/session-3.scope")
	no("/init.scope")
	no("/kubepods")
	no("/kubepods/burstable")
	no("/kubepods/burstable/pod" + uid)
	no("/kubepods.slice/kubepods-burstable.slice")
	no("/kubepods.slice/kubepods-burstable.slice/" + podSlug)
	no("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidUnd + ".slice/crio-conmon-" + cid + ".scope")
	no("/machine.slice/libpod-conmon-" + cid + ".scope")
	no("/process_api/3c7f80c5f9de17b040dcae23f1505b2c") // 32 hex: not a container ID
	no("/system.slice/docker-" + cid + ".scope/init.scope")
	no("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidUnd + ".slice/crio-" + cid + ".scope/container")
	no("/docker/" + cid[:63])                                                                        // short
	no("/docker/" + "B8225C1845D6306705E3E075ACC01BD7CA9CADAAC02F07F627EDBF7C7CBE939F")              // not kernel-made
	no("/system.slice/docker-" + cid + ".mount")                                                     // wrong suffix
	no("/system.slice/run-containerd-io.containerd.runtime.v2.task-k8s.io-" + cid + "-rootfs.mount") // mount unit

	// A "pod" element that is not a UID does not give a pod UID.
	f("/podman/"+cid, Identity{cid, "", "containerd"}, true)
}

func TestParsePodElem(t *testing.T) {
	f := func(elem, want string, wantOK bool) {
		t.Helper()
		got, ok := parsePodElem(elem)
		if got != want || ok != wantOK {
			t.Errorf("parsePodElem(%q) = %q, %v; want %q, %v", elem, got, ok, want, wantOK)
		}
	}
	f("pod6a1f0c2e-8d4b-4f7a-9c3e-2b5d7e9f1a04", "6a1f0c2e-8d4b-4f7a-9c3e-2b5d7e9f1a04", true)
	f("kubepods-pod6a1f0c2e_8d4b_4f7a_9c3e_2b5d7e9f1a04.slice", "6a1f0c2e-8d4b-4f7a-9c3e-2b5d7e9f1a04", true)
	f("kubepods-besteffort-pod6a1f0c2e_8d4b_4f7a_9c3e_2b5d7e9f1a04.slice", "6a1f0c2e-8d4b-4f7a-9c3e-2b5d7e9f1a04", true)
	f("kubepods-besteffort.slice", "", false)
	f("kubepods-besteffort-pod6a1f0c2e_8d4b_4f7a_9c3e_2b5d7e9f1a04", "", false) // no .slice
	f("pod6a1f0c2e-8d4b-4f7a-9c3e", "", false)
	f("podman", "", false)
	f("pods", "", false)
}

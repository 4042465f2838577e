package kubefixture

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/nexclipper/nexclipper/e2e/kubetest"
)

// The fixtures pass the real API server's validation, and the statuses they
// set are stored (a status on create would be dropped silently).
func TestKubeFixturesAgainstAPIServer(t *testing.T) {
	srv := kubetest.Start(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", srv.KubeconfigPath)
	if err != nil {
		t.Fatal(err)
	}
	c := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	f, err := NewCluster(ctx, c, "fixture", "node-a")
	if err != nil {
		t.Fatal(err)
	}
	crash, err := c.CoreV1().Pods("fixture").Get(ctx, f.Crash.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cs := crash.Status.ContainerStatuses
	if len(cs) != 1 || cs[0].RestartCount != 4 || cs[0].State.Waiting == nil || cs[0].LastTerminationState.Terminated == nil ||
		cs[0].LastTerminationState.Terminated.Reason != "OOMKilled" {
		t.Errorf("crash pod status not stored: %+v", cs)
	}
	if f.WebPod.OwnerReferences[0].UID != f.WebRS.UID || f.WebRS.OwnerReferences[0].UID != f.Web.UID {
		t.Error("owner references do not name the created owners")
	}
	if f.Failed.Status.Failed != 6 || len(f.Failed.Status.Conditions) != 2 || f.Done.Status.Succeeded != 5 {
		t.Errorf("job statuses not stored: %+v / %+v", f.Failed.Status, f.Done.Status)
	}
	if f.Data.Status.Phase != corev1.ClaimBound || f.Node.Status.Allocatable.Cpu().MilliValue() != 3500 {
		t.Errorf("pvc or node status not stored")
	}
	if f.Web.Status.AvailableReplicas != 2 || f.DB.Status.ReadyReplicas != 1 || f.Agent.Status.NumberAvailable != 2 {
		t.Errorf("workload statuses not stored")
	}
	if err := DeletePod(ctx, c, f.Pulling); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().Pods("fixture").Get(ctx, f.Pulling.Name, metav1.GetOptions{}); err == nil {
		t.Error("pod still there after DeletePod")
	}
}

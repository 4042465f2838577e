package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

var update = flag.Bool("update", false, "rewrite the golden frames in testdata/")

// TestFrameGolden pins the JSON of the frames the stream pushes. The
// frontend's jest test (src/components/Attention) decodes these same files,
// so a change on either side that breaks the other fails a test.
func TestFrameGolden(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fr := newFakeReceiver(t)
	fr.answer(q(t, "overview.node_not_ready"), s(1, "node", "worker-3"))
	fr.answer(q(t, "overview.container_throttled"), s(0.31, "namespace", "shop", "pod", "api-1", "container", "server"))
	failing := newFakeReceiver(t)
	failing.fail[q(t, "overview.pod_problems")] = "boom"

	for file, a := range map[string]*App{"attention-frame.json": appFor(t, fr), "attention-frame-error.json": appFor(t, failing)} {
		b, err := data.FrameToJSON(a.attentionFrame(context.Background(), ts), data.IncludeAll)
		if err != nil {
			t.Fatal(err)
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, b, "", "  "); err != nil {
			t.Fatal(err)
		}
		pretty.WriteByte('\n')
		got := bytes.ReplaceAll(pretty.Bytes(), []byte(failing.URL), []byte("http://receiver:9911"))
		path := filepath.Join("testdata", file)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs; if the change is intended run `go test ./grafana-plugin/pkg/plugin -update` and check the frontend still decodes it:\n%s", path, got)
		}
	}
}

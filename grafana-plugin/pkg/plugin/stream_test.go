package plugin

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// packets is a backend.StreamPacketSender that hands every packet to the test.
type packets chan *backend.StreamPacket

func (p packets) Send(pk *backend.StreamPacket) error {
	p <- pk
	return nil
}

func frameOf(t *testing.T, raw []byte) *data.Frame {
	t.Helper()
	var f data.Frame
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("frame %s: %v", raw, err)
	}
	return &f
}

// rows returns the frame's rows as "severity kind subject".
func rows(f *data.Frame) []string {
	var out []string
	for i := 0; i < f.Rows(); i++ {
		row := f.RowCopy(i)
		out = append(out, row[1].(string)+" "+row[0].(string)+" "+row[2].(string))
	}
	return out
}

func TestRunStreamPushesUntilCancelled(t *testing.T) {
	fr := newFakeReceiver(t)
	fr.answer(q(t, "overview.node_not_ready"), s(1, "node", "worker-3"))
	a := appFor(t, fr)
	a.streamInterval = 20 * time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(packets, 16)
	done := make(chan error, 1)
	go func() {
		done <- a.RunStream(ctx, &backend.RunStreamRequest{Path: AttentionPath}, backend.NewStreamSender(ch))
	}()

	first := frameOf(t, (<-ch).Data)
	if first.Name != "attention" || len(first.Fields) != 5 {
		t.Fatalf("frame %q with %d fields", first.Name, len(first.Fields))
	}
	for i, name := range []string{"kind", "severity", "subject", "message", "link"} {
		if first.Fields[i].Name != name {
			t.Errorf("field %d is %q, want %q", i, first.Fields[i].Name, name)
		}
	}
	if got := rows(first); len(got) != 1 || got[0] != "critical node_not_ready worker-3" {
		t.Errorf("first push %v", got)
	}
	// The node recovers: the next push says so.
	fr.answer(q(t, "overview.node_not_ready"))
	deadline := time.After(5 * time.Second)
	for {
		select {
		case pk := <-ch:
			if len(rows(frameOf(t, pk.Data))) != 0 {
				continue
			}
		case <-deadline:
			t.Fatal("no empty push after the node recovered")
		}
		break
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunStream returned %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunStream did not return after its context was cancelled")
	}
}

func TestRunStreamPushesErrors(t *testing.T) {
	fr := newFakeReceiver(t)
	fr.fail[q(t, "overview.pod_problems")] = "boom"
	a := appFor(t, fr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(packets, 4)
	go func() {
		_ = a.RunStream(ctx, &backend.RunStreamRequest{Path: AttentionPath}, backend.NewStreamSender(ch))
	}()
	f := frameOf(t, (<-ch).Data)
	if f.Rows() != 0 || f.Meta == nil || len(f.Meta.Notices) != 1 ||
		f.Meta.Notices[0].Severity != data.NoticeSeverityError || !strings.Contains(f.Meta.Notices[0].Text, "overview.pod_problems") {
		t.Errorf("frame %d rows, meta %+v", f.Rows(), f.Meta)
	}
}

func TestRunStreamUnknownPath(t *testing.T) {
	a := appFor(t, newFakeReceiver(t))
	err := a.RunStream(context.Background(), &backend.RunStreamRequest{Path: "other"}, backend.NewStreamSender(make(packets, 1)))
	if err == nil {
		t.Error("no error for an unknown path")
	}
}

func TestSubscribeStream(t *testing.T) {
	fr := newFakeReceiver(t)
	fr.answer(q(t, "overview.node_not_ready"), s(1, "node", "worker-3"))
	a := appFor(t, fr)

	resp, err := a.SubscribeStream(context.Background(), &backend.SubscribeStreamRequest{Path: AttentionPath})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != backend.SubscribeStreamStatusOK || resp.InitialData == nil {
		t.Fatalf("response %+v", resp)
	}
	if got := rows(frameOf(t, resp.InitialData.Data())); len(got) != 1 || got[0] != "critical node_not_ready worker-3" {
		t.Errorf("initial data %v", got)
	}

	resp, err = a.SubscribeStream(context.Background(), &backend.SubscribeStreamRequest{Path: "other"})
	if err != nil || resp.Status != backend.SubscribeStreamStatusNotFound {
		t.Errorf("unknown path: %+v, %v", resp, err)
	}
}

func TestPublishStreamDenied(t *testing.T) {
	resp, err := appFor(t, newFakeReceiver(t)).PublishStream(context.Background(), &backend.PublishStreamRequest{Path: AttentionPath})
	if err != nil || resp.Status != backend.PublishStreamStatusPermissionDenied {
		t.Errorf("%+v, %v", resp, err)
	}
}

package plugin

import (
	"context"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// AttentionPath is the Grafana Live channel path of the attention stream:
// the frontend subscribes to plugin/nexclipper-observability-app/attention.
const AttentionPath = "attention"

// SubscribeStream admits every viewer of the app to the attention channel
// (the app's pages are Viewer pages) and hands them the current list at
// once, so the Overview does not wait for the first push.
func (a *App) SubscribeStream(ctx context.Context, req *backend.SubscribeStreamRequest) (*backend.SubscribeStreamResponse, error) {
	if req.Path != AttentionPath {
		return &backend.SubscribeStreamResponse{Status: backend.SubscribeStreamStatusNotFound}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, attentionTimeout)
	defer cancel()
	initial, err := backend.NewInitialFrame(a.attentionFrame(ctx, time.Now()), data.IncludeAll)
	if err != nil {
		return nil, fmt.Errorf("initial attention frame: %w", err)
	}
	return &backend.SubscribeStreamResponse{Status: backend.SubscribeStreamStatusOK, InitialData: initial}, nil
}

// PublishStream refuses: the channel is the backend's to write.
func (a *App) PublishStream(context.Context, *backend.PublishStreamRequest) (*backend.PublishStreamResponse, error) {
	return &backend.PublishStreamResponse{Status: backend.PublishStreamStatusPermissionDenied}, nil
}

// RunStream pushes the attention list as a data frame now and every
// streamInterval until Grafana cancels ctx (the last subscriber left). A
// failed computation is pushed too, as an empty frame with an error notice,
// so the page shows why the list is missing rather than a stale one.
func (a *App) RunStream(ctx context.Context, req *backend.RunStreamRequest, sender *backend.StreamSender) error {
	if req.Path != AttentionPath {
		return fmt.Errorf("unknown stream path %q", req.Path)
	}
	tick := time.NewTicker(a.streamInterval)
	defer tick.Stop()
	for {
		qctx, cancel := context.WithTimeout(ctx, attentionTimeout)
		frame := a.attentionFrame(qctx, time.Now())
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err := sender.SendFrame(frame, data.IncludeAll); err != nil {
			return fmt.Errorf("send attention frame: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// attentionFrame is the list as a frame named "attention": one row per item,
// string fields kind, severity, subject, message, link. On error the frame
// is empty and carries the error as a notice.
func (a *App) attentionFrame(ctx context.Context, ts time.Time) *data.Frame {
	items, err := a.attention(ctx, ts)
	cols := make([][]string, 5)
	for _, it := range items {
		for i, v := range []string{it.Kind, it.Severity, it.Subject, it.Message, it.Link} {
			cols[i] = append(cols[i], v)
		}
	}
	f := data.NewFrame("attention")
	for i, name := range []string{"kind", "severity", "subject", "message", "link"} {
		if cols[i] == nil {
			cols[i] = []string{}
		}
		f.Fields = append(f.Fields, data.NewField(name, nil, cols[i]))
	}
	f.Meta = &data.FrameMeta{Custom: map[string]any{"updated": ts.UTC().Format(time.RFC3339)}}
	if err != nil {
		f.Meta.Notices = []data.Notice{{Severity: data.NoticeSeverityError, Text: err.Error()}}
	}
	return f
}

// Package plugin is the backend of the NexClipper Grafana app: the health
// check that reports the freshness of the pipeline (exporter → receiver), the
// "needs attention" list of the Overview page computed server-side (resource
// GET /attention) and the Grafana Live stream that pushes that list every few
// seconds (channel plugin/nexclipper-observability-app/attention).
//
// The backend talks to the receiver directly, at jsonData.prometheusUrl.
// Grafana's data source proxy is not an option: a plugin backend has no
// credentials of its own to call Grafana's API with unless a service account
// token is provisioned for it, and the app must keep working on Grafana
// versions and setups without that. jsonData.datasourceUid (the Prometheus
// data source of the pages) and jsonData.prometheusUrl are set together on
// the configuration page, which prefills the URL from the chosen data source.
package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
)

// PluginID is the app's id, as in src/plugin.json.
const PluginID = "nexclipper-observability-app"

// Settings are the app's jsonData, written by the configuration page (or by
// provisioning). The data-source-style HTTP options of the SDK (basicAuth,
// basicAuthUser with secureJsonData.basicAuthPassword, tlsSkipVerify,
// tlsAuthWithCACert, timeout, ...) are honoured too, for a receiver behind
// --web.config.file.
type Settings struct {
	// DatasourceUID is the Prometheus data source the pages query.
	DatasourceUID string `json:"datasourceUid"`
	// PrometheusURL is the same receiver's base URL as the backend reaches
	// it, e.g. http://nexclipper-receiver:9911.
	PrometheusURL string `json:"prometheusUrl"`
}

// App is one instance of the app backend, per org and settings version: the
// SDK's instance manager builds a new one (NewApp) whenever the settings
// change and disposes of the old one.
type App struct {
	backend.CallResourceHandler

	settings Settings
	// receiver is nil when the settings name no usable URL; configErr says why.
	receiver  *receiver
	configErr error
	// streamInterval is how often RunStream pushes the attention list.
	streamInterval time.Duration
}

var (
	_ backend.CheckHealthHandler    = (*App)(nil)
	_ backend.CallResourceHandler   = (*App)(nil)
	_ backend.StreamHandler         = (*App)(nil)
	_ instancemgmt.InstanceDisposer = (*App)(nil)
)

// NewApp builds an app instance from its settings. A missing or bad URL does
// not fail the instance: CheckHealth, the resource and the stream report it
// with what to fix, which Grafana shows to the person configuring the app.
func NewApp(ctx context.Context, s backend.AppInstanceSettings) (instancemgmt.Instance, error) {
	a := &App{streamInterval: 5 * time.Second}
	if len(s.JSONData) == 0 {
		s.JSONData = json.RawMessage("{}") // a never-configured app
	}
	if err := json.Unmarshal(s.JSONData, &a.settings); err != nil {
		a.configErr = fmt.Errorf("the app's jsonData is not valid JSON: %w", err)
	}
	if a.configErr == nil {
		hc, err := newHTTPClient(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("http client: %w", err)
		}
		a.receiver, a.configErr = newReceiver(a.settings.PrometheusURL, hc)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /attention", a.handleAttention)
	a.CallResourceHandler = httpadapter.New(mux)
	return a, nil
}

// Dispose is called when the settings change; the app holds no goroutines or
// connections beyond the HTTP client's idle ones.
func (a *App) Dispose() {
	if a.receiver != nil {
		a.receiver.http.CloseIdleConnections()
	}
}

func newHTTPClient(ctx context.Context, s backend.AppInstanceSettings) (*http.Client, error) {
	opts, err := s.HTTPClientOptions(ctx)
	if err != nil {
		return nil, err
	}
	return httpclient.New(opts)
}

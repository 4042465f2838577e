// Command gpx_nexclipper is the backend of the NexClipper Grafana app
// plugin. Grafana starts it (the "executable" of src/plugin.json, built as
// dist/gpx_nexclipper_<os>_<arch>) and talks to it over gRPC.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/app"

	"github.com/nexclipper/nexclipper/grafana-plugin/pkg/plugin"
)

func main() {
	if err := app.Manage(plugin.PluginID, plugin.NewApp, app.ManageOpts{}); err != nil {
		backend.Logger.Error(err.Error())
		os.Exit(1)
	}
}

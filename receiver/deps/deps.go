// Package deps pins the Prometheus packages the receiver is being built on
// while its packages land one by one; it is removed once they import them.
package deps

import (
	_ "github.com/prometheus/client_golang/exp/api/remote"
	_ "github.com/prometheus/prometheus/discovery/install"
	_ "github.com/prometheus/prometheus/prompb"
	_ "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
	_ "github.com/prometheus/prometheus/promql"
	_ "github.com/prometheus/prometheus/promql/promqltest"
	_ "github.com/prometheus/prometheus/scrape"
	_ "github.com/prometheus/prometheus/storage/remote"
	_ "github.com/prometheus/prometheus/tsdb"
	_ "github.com/prometheus/prometheus/util/teststorage"
	_ "github.com/prometheus/prometheus/web/api/v1"
)

// Package tier keeps the downsampled tiers of one receiver storage directory and
// serves PromQL from whichever tier fits a query.
//
// Contract:
//
//   - Layout: raw blocks are the TSDB's own, directly under the storage path; the
//     tiers live under <path>/downsampled/5m and <path>/downsampled/1h, one block
//     per aligned window (Window5m = 1 day of raw data, Window1h = 10 days of 5m
//     data), in Thanos's downsampled block format (package downsampler). The TSDB
//     ignores those directories: their names are not ULIDs.
//   - Schedule (Runner): a window is downsampled to 5m once its end is older than
//     Options.RawWindow (default 40h) and no raw sample of it is left in the TSDB
//     head (Options.RawPersistedBefore); to 1h
//     once its end is older than Options.FiveMinWindow (default 10d). A pass builds
//     every eligible window that has no block yet, at most Options.Concurrency at a
//     time, 5m before 1h. Blocks are written under a temporary name and renamed when
//     complete; leftovers of a killed pass are removed when the Store opens, and the
//     next pass redoes their windows, so a crash loses nothing and never exposes a
//     partial block.
//   - Retention: a raw block past Options.RetentionRaw, and a 5m block past
//     RetentionFiveMin, is deleted only once the next tier holds its whole range; 1h
//     blocks past Retention1h are deleted outright. 0 keeps a tier forever.
//   - Queries (Queryable): each Select is planned into time segments. The preferred
//     tier is the coarsest whose resolution is at most the query's max source
//     resolution: max_source_resolution, or with "auto" (the default) step/5, capped
//     at range/5 for a range selector, so a rate() window always spans five or more
//     tier points. Where the preferred tier does not hold the time, the finest tier
//     that does serves it (recent data not yet downsampled comes from raw; data
//     whose raw blocks retention removed comes from 5m/1h, with a warning, unless
//     the resolution was asked for explicitly). The aggregate read follows the
//     function around the selector as in Thanos: rate/increase/irate/resets read
//     the counter aggregate; min*, max*, count*, sum_* read min, max, count, sum;
//     anything else reads sum/count, the window average.
//   - Every answer names its tiers: Report (from WithReport) collects them for the
//     X-Nexclipper-Tiers header, and the series set carries an info annotation
//     whenever a downsampled tier served part of the query.
package tier

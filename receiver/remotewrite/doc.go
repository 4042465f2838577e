// Package remotewrite is the receiving end of Prometheus remote write 1.0 and
// 2.0 (POST /api/v1/write): it decodes snappy-compressed protobuf requests and
// appends them to a storage.AppendableV2 (the receiver's tsdb.DB).
//
// The protocol layer is client_golang's exp/api/remote write handler
// (content negotiation, X-Prometheus-Remote-Write-*-Written headers); this
// package supplies the gate in front of it (auth, limits, load shedding, snappy)
// and the store behind it, which is ours rather than Prometheus's because
// Prometheus's 1.0 path rolls back a whole request for one out-of-order sample
// and answers 204 while dropping series with invalid labels.
//
// # Status codes
//
// The sender decides from the status whether to retry, so every answer says
// exactly one of "stored", "never send this again" or "retry later":
//
//	204  every sample, histogram and exemplar of the request was stored.
//	400  some or all of the data can never be stored (invalid or duplicate
//	     label names, missing __name__, label limits, out of order or too old
//	     for the TSDB, a different value for an existing timestamp, invalid
//	     native histogram, RW 2.0 symbol reference out of range, corrupt snappy,
//	     undecodable protobuf). The rest of the request IS stored (partial
//	     acceptance); the body lists, per reason, how many items were rejected
//	     and the first offending series.
//	401  BearerToken is set and the request does not carry it.
//	405  not a POST.
//	413  compressed body over MaxBodyBytes, decoded body over MaxDecodedBytes,
//	     or more samples/series than MaxSamplesPerRequest/MaxSeriesPerRequest;
//	     nothing of the request is stored.
//	415  Content-Type other than application/x-protobuf with proto=
//	     prometheus.WriteRequest (or none) / io.prometheus.write.v2.Request, or a
//	     Content-Encoding other than snappy; checked before the body is read.
//	429  MaxInflightRequests requests are already being decoded or appended;
//	     Retry-After says when to come back; nothing is stored.
//	500  the storage failed: Commit failed (e.g. a disk error), or Append
//	     returned an error that is not about the data. The whole request is
//	     rolled back, so the sender's retry cannot duplicate data.
//
// A bad sample never causes a 5xx. Every error body is one line of plain text
// ending in a newline. Answers from the store (204, 400 for data, 413 for the
// sample/series limits, 500) carry the X-Prometheus-Remote-Write-Samples/
// Histograms/Exemplars-Written headers for both versions, counting only what
// was stored (Prometheus's sender reads them for 1.0 too, to count partial
// failures exactly).
//
// Within one request, samples of a series must come in timestamp order (both
// specs say so): the TSDB checks a sample only against committed data and
// would silently drop an in-request out-of-order sample at Commit, so we
// reject it (400) and keep the Written headers true. An identical re-send of a
// sample is accepted, as the TSDB does.
//
// # Normalisation
//
// Labels are sorted by name when a sender did not sort them, and labels with an
// empty value are dropped: both are lossless in Prometheus's data model (an
// empty value means "no such label") and are what Prometheus itself does, so
// rejecting would only lose data. Label names and values may be any valid
// UTF-8 (Prometheus 3 semantics).
package remotewrite

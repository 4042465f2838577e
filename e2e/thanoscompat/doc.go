// Package thanoscompat holds only a test: TestThanosReadsOurBlocks checks that
// Thanos v0.42.4's own readers accept the downsampled blocks written by the main
// module's downsampler package. See README.md.
package thanoscompat

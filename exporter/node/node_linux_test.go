package node

import (
	"testing"

	"golang.org/x/sys/unix"
)

type unixStatfs = unix.Statfs_t

const stRdonly = unix.ST_RDONLY

func hostMachine(t *testing.T) string {
	t.Helper()
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		t.Fatal(err)
	}
	return unix.ByteSliceToString(uts.Machine[:])
}

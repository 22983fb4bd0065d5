package badgerstore

import (
	"errors"
	"syscall"
)

// isNoSpace reports whether err is the file system running out of space or
// quota.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// isIOError reports whether err says the device itself failed.
func isIOError(err error) bool {
	return errors.Is(err, syscall.EIO) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.ENODEV) ||
		errors.Is(err, syscall.ENXIO)
}

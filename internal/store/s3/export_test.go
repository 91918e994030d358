package s3

// SetCopyLimits lowers the size above which Copy uses a multipart copy, and
// its part size, so that tests can exercise it without 5 GiB objects.
func SetCopyLimits(s *Store, maxCopy, partSize int64) {
	s.maxCopySize = maxCopy
	s.copyPartSize = partSize
}

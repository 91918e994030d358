package dataset

// SetRowGroupTarget sets the row-group target of every writer for a test
// and returns a function restoring it.
func SetRowGroupTarget(bytes int64) (restore func()) {
	old := rowGroupTarget
	rowGroupTarget = bytes
	return func() { rowGroupTarget = old }
}

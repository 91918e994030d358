package dataset

// SetRowGroupTarget sets the row-group target of every writer for a test
// and returns a function restoring it.
func SetRowGroupTarget(bytes int64) (restore func()) {
	old := rowGroupTarget
	rowGroupTarget = bytes
	return func() { rowGroupTarget = old }
}

// SetRowGroupRows sets the row bound of every writer's row groups for a
// test and returns the function that restores it.
func SetRowGroupRows(rows int64) (restore func()) {
	old := rowGroupRows
	rowGroupRows = rows
	return func() { rowGroupRows = old }
}

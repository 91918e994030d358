package snapshot

// SetCarryChunkRows sets how many rows a carry-over reads between two looks
// at StopAt, and returns a function restoring it.
func SetCarryChunkRows(n int) func() {
	old := carryChunkRows
	carryChunkRows = n
	return func() { carryChunkRows = old }
}

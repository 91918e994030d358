package dataset

import (
	"errors"
	"io"
	"os"
)

// spillBytes is how much of a column's encoded pages a writer keeps in
// memory before it moves them to a temporary file: the few large columns
// (raw_json, description) of a row group of tens of MiB go to disk, the many
// small ones never touch it, and a writer's memory stays bounded whatever
// the row-group target.
const spillBytes = 256 << 10

// spillPool is a parquet.BufferPool of spillBuffers.
type spillPool struct{ dir string }

func (p spillPool) GetBuffer() io.ReadWriteSeeker { return &spillBuffer{dir: p.dir} }

func (p spillPool) PutBuffer(buf io.ReadWriteSeeker) {
	if b, ok := buf.(*spillBuffer); ok {
		b.release()
	}
}

// spillBuffer holds bytes in memory up to spillBytes, then in a temporary
// file in dir, which release removes.
type spillBuffer struct {
	dir  string
	mem  []byte
	off  int64
	file *os.File
}

func (b *spillBuffer) Write(p []byte) (int, error) {
	if b.file == nil && b.off+int64(len(p)) > spillBytes {
		if err := b.spill(); err != nil {
			return 0, err
		}
	}
	if b.file != nil {
		n, err := b.file.Write(p)
		b.off += int64(n)
		return n, err
	}
	n := copy(b.mem[b.off:], p)
	b.mem = append(b.mem, p[n:]...)
	b.off += int64(len(p))
	return len(p), nil
}

func (b *spillBuffer) Read(p []byte) (int, error) {
	if b.file != nil {
		n, err := b.file.Read(p)
		b.off += int64(n)
		return n, err
	}
	if b.off >= int64(len(b.mem)) {
		return 0, io.EOF
	}
	n := copy(p, b.mem[b.off:])
	b.off += int64(n)
	return n, nil
}

func (b *spillBuffer) Seek(offset int64, whence int) (int64, error) {
	if b.file != nil {
		off, err := b.file.Seek(offset, whence)
		if err == nil {
			b.off = off
		}
		return off, err
	}
	switch whence {
	case io.SeekCurrent:
		offset += b.off
	case io.SeekEnd:
		offset += int64(len(b.mem))
	}
	if offset < 0 || offset > int64(len(b.mem)) {
		return b.off, errors.New("dataset: page buffer: seek out of range")
	}
	b.off = offset
	return offset, nil
}

// spill moves the bytes held in memory to a new temporary file.
func (b *spillBuffer) spill() error {
	f, err := os.CreateTemp(b.dir, "keka-export-pages-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(b.mem); err == nil {
		_, err = f.Seek(b.off, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return err
	}
	b.file, b.mem = f, nil
	return nil
}

func (b *spillBuffer) release() {
	if b.file != nil {
		_ = b.file.Close()
		_ = os.Remove(b.file.Name())
		b.file = nil
	}
	b.mem, b.off = nil, 0
}

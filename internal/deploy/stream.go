package deploy

import (
	"bytes"
	"io"
	"sync"
)

// syncWriter serialises writes from concurrently running layers.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// prefixWriter writes whole lines with the layer name in front, so the
// output of concurrent layers interleaves by line, never mid-line.
type prefixWriter struct {
	prefix string
	out    io.Writer
	buf    bytes.Buffer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf.Write(b)
	for {
		i := bytes.IndexByte(p.buf.Bytes(), '\n')
		if i < 0 {
			return len(b), nil // an incomplete line waits for the next write
		}
		line := p.buf.Next(i + 1)
		if _, err := p.out.Write(append([]byte(p.prefix), line...)); err != nil {
			return 0, err
		}
	}
}

// Flush writes a trailing incomplete line.
func (p *prefixWriter) Flush() {
	if p.buf.Len() > 0 {
		p.out.Write(append(append([]byte(p.prefix), p.buf.Bytes()...), '\n'))
		p.buf.Reset()
	}
}

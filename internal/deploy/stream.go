package deploy

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/acmepay/platform/pkg/stage"
)

// SyncWriter serialises writes to w from layers running at once (for
// Deployer.Engine).
func SyncWriter(w io.Writer) io.Writer { return &syncWriter{w: w} }

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

// tailLines is how many of a layer's last engine lines a failure shows when
// the engine's stream goes to Engine rather than Out.
const tailLines = 25

// layerStream is where one layer's engine stream goes (the CLI's progress
// and diagnostics): to the layer's own writer when Deployer.Engine is nil,
// else to Engine with the layer's prefix, keeping the last lines so that a
// failure can show them.
type layerStream struct {
	out  io.Writer // nil: the stream goes to Engine only
	log  *prefixWriter
	mu   sync.Mutex
	part []byte
	tail []string
}

// stream is l's engine stream, beside w (the layer's own messages).
func (d *Deployer) stream(l stage.Layer, w io.Writer) *layerStream {
	if d.Engine == nil {
		return &layerStream{out: w}
	}
	return &layerStream{log: &prefixWriter{prefix: "[" + l.Name + "] ", out: d.Engine}}
}

func (s *layerStream) Write(b []byte) (int, error) {
	if s.out != nil {
		return s.out.Write(b)
	}
	s.mu.Lock()
	s.part = append(s.part, b...)
	for {
		i := bytes.IndexByte(s.part, '\n')
		if i < 0 {
			break
		}
		if line := string(bytes.TrimRight(s.part[:i], " \r")); line != "" {
			s.tail = append(s.tail, line)
			if len(s.tail) > tailLines {
				s.tail = s.tail[1:]
			}
		}
		s.part = s.part[i+1:]
	}
	s.mu.Unlock()
	return s.log.Write(b)
}

// done flushes the stream.
func (s *layerStream) done() {
	if s.out != nil {
		return
	}
	s.log.Flush()
	if line := string(bytes.TrimSpace(s.part)); line != "" {
		s.tail = append(s.tail, line) // the engine's last words, unterminated
		s.part = nil
	}
}

// failed is done for a layer that failed: when the stream went to Engine,
// it writes the stream's last lines to w.
func (s *layerStream) failed(w io.Writer) {
	s.done()
	if s.out != nil || len(s.tail) == 0 {
		return
	}
	fmt.Fprintf(w, "the engine's last %d lines (all of them: go run mage.go -v <target>, or the log named above):\n", len(s.tail))
	for _, line := range s.tail {
		fmt.Fprintln(w, "  "+line)
	}
}

// SPDX-License-Identifier: Apache-2.0

// capture: a gRPC server that accepts any method, records every request
// and answers it with a canned success (responses.go), so that two
// Milvus clients running the same script leave comparable recordings.
//
//	capture -out FILE
//
// It listens on 127.0.0.1 with ports it picks and prints, on stdout,
//
//	MARK <m>   a plain TCP port for operation markers
//	PORT <n>   the gRPC port (printed last, once both listen)
//
// The recording FILE gets one JSON object per line, in arrival order:
//
//	{"seq":1,"op":"Insert"}                        an operation marker
//	{"seq":2,"conn":1,"method":"/milvus.proto.milvus.MilvusService/Insert",
//	 "headers":[[":method","POST"],...],"request":"<base64>"}
//
// headers is the request's HTTP/2 header list exactly as it arrived (pseudo
// headers and metadata, in wire order, decoded with HPACK from a copy of
// the connection's bytes); request is the gRPC message (uncompressed).
//
// Markers: a client connects to the MARK port and sends lines "OP <name>";
// each is appended to the recording before "OK" is answered, so a client
// that waits for OK and runs its operations one at a time gets every
// request recorded under the right operation.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/peer"
)

// ---- the recording -------------------------------------------------------

type recorder struct {
	mu  sync.Mutex
	f   *os.File
	seq int
}

func (r *recorder) write(entry map[string]any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	entry["seq"] = r.seq
	line, err := json.Marshal(entry)
	if err != nil {
		return err
	}
	_, err = r.f.Write(append(line, '\n'))
	return err
}

// ---- header sniffing -------------------------------------------------------

// headerBlock is one HEADERS frame (with its CONTINUATIONs) of a connection.
type headerBlock struct {
	path   string
	fields [][2]string
}

// sniffer keeps the header blocks of every connection until the handler of
// the stream takes them.  Key: the client's address (one connection each).
type sniffer struct {
	mu     sync.Mutex
	cond   *sync.Cond
	blocks map[string][]headerBlock
	conns  map[string]int
	nconn  int
}

func newSniffer() *sniffer {
	s := &sniffer{blocks: map[string][]headerBlock{}, conns: map[string]int{}}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// take returns the oldest header block of conn for path, waiting up to 2 s
// for the decoder goroutine to catch up with the transport.
func (s *sniffer) take(conn, path string) ([][2]string, int, bool) {
	deadline := time.Now().Add(2 * time.Second)
	timer := time.AfterFunc(2*time.Second, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		list := s.blocks[conn]
		for i, b := range list {
			if b.path == path {
				s.blocks[conn] = append(list[:i:i], list[i+1:]...)
				return b.fields, s.conns[conn], true
			}
		}
		if time.Now().After(deadline) {
			return nil, s.conns[conn], false
		}
		s.cond.Wait()
	}
}

func (s *sniffer) add(conn string, b headerBlock) {
	s.mu.Lock()
	s.blocks[conn] = append(s.blocks[conn], b)
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *sniffer) register(conn string) {
	s.mu.Lock()
	s.nconn++
	s.conns[conn] = s.nconn
	s.mu.Unlock()
}

// decode reads the client side of one connection (a copy of it) and keeps
// its request header blocks.  On any error it just drains the copy, so the
// real connection never waits for it.
func (s *sniffer) decode(conn string, r io.Reader) {
	defer io.Copy(io.Discard, r)
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(r, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(nil, r)
	fr.SetMaxReadFrameSize(1 << 24)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.MaxHeaderListSize = 1 << 24
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		mh, ok := f.(*http2.MetaHeadersFrame)
		if !ok {
			continue
		}
		b := headerBlock{}
		for _, hf := range mh.Fields {
			if hf.Name == ":path" {
				b.path = hf.Value
			}
			b.fields = append(b.fields, [2]string{hf.Name, hf.Value})
		}
		if b.path != "" { // request headers, not trailers
			s.add(conn, b)
		}
	}
}

// teeConn hands every byte the transport reads to the sniffer as well.
type teeConn struct {
	net.Conn
	w *io.PipeWriter
}

func (c *teeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.w.Write(p[:n]) // fails only once the decoder gave up; ignored
	}
	return n, err
}

func (c *teeConn) Close() error {
	c.w.Close()
	return c.Conn.Close()
}

type teeListener struct {
	net.Listener
	s *sniffer
}

func (l *teeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	key := c.RemoteAddr().String()
	l.s.register(key)
	go l.s.decode(key, pr)
	return &teeConn{Conn: c, w: pw}, nil
}

// ---- gRPC ----------------------------------------------------------------

// rawCodec passes messages through as bytes in both directions.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: %T is not []byte", v)
	}
	return b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: %T is not *[]byte", v)
	}
	*p = append([]byte(nil), data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

type server struct {
	rec *recorder
	sn  *sniffer
}

func (s *server) handle(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	var req []byte
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	conn := ""
	if p, ok := peer.FromContext(stream.Context()); ok {
		conn = p.Addr.String()
	}
	fields, connNo, ok := s.sn.take(conn, method)
	entry := map[string]any{
		"conn":    connNo,
		"method":  method,
		"headers": fields,
		"request": base64.StdEncoding.EncodeToString(req),
	}
	if !ok {
		entry["headers_error"] = "header block not decoded"
	}
	if err := s.rec.write(entry); err != nil {
		log.Printf("recording: %v", err)
	}
	name := method[strings.LastIndexByte(method, '/')+1:]
	resp, err := respondBytes(name, req)
	if err != nil {
		return err
	}
	return stream.SendMsg(resp)
}

// ---- markers ---------------------------------------------------------------

func serveMarks(l net.Listener, rec *recorder) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			sc := bufio.NewScanner(c)
			for sc.Scan() {
				op, found := strings.CutPrefix(sc.Text(), "OP ")
				if !found {
					fmt.Fprintf(c, "ERR expected OP <name>\n")
					continue
				}
				if err := rec.write(map[string]any{"op": op}); err != nil {
					fmt.Fprintf(c, "ERR %v\n", err)
					continue
				}
				fmt.Fprintf(c, "OK\n")
			}
		}(c)
	}
}

func main() {
	out := flag.String("out", "", "recording file (JSON lines, appended)")
	flag.Parse()
	if *out == "" {
		log.Fatal("capture: -out FILE is required")
	}
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	rec := &recorder{f: f}

	ml, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go serveMarks(ml, rec)

	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	sn := newSniffer()
	s := &server{rec: rec, sn: sn}
	gs := grpc.NewServer(
		grpc.ForceServerCodec(rawCodec{}),
		grpc.UnknownServiceHandler(s.handle),
		grpc.MaxRecvMsgSize(64<<20),
		// The Go client pings every 5 s even without calls.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime: time.Second, PermitWithoutStream: true,
		}),
	)
	fmt.Printf("MARK %d\n", ml.Addr().(*net.TCPAddr).Port)
	fmt.Printf("PORT %d\n", gl.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		gs.Stop()
		ml.Close()
	}()
	if err := gs.Serve(&teeListener{Listener: gl, s: sn}); err != nil {
		log.Fatal(err)
	}
	f.Close()
}

// canned_server: a grpc-go server for the benchmark suite that answers
// Milvus RPCs with pre-built response bytes, so that every client in a
// comparison (libmilvus, the official Node SDK, the grpc C++ anchor) talks to
// the same server and gets the same bytes back, and the server's own cost is
// the same for all of them.
//
//	canned_server -port 0 -canned Search=search.bin,Insert=insert.bin
//	              [-dump Insert=insert_req.bin] [-hold_ms Method=N]
//
// -canned maps a method name (the last path element, or the full
// "/pkg.Service/Method" path) to a file whose bytes are the response message
// of every call of that method.  Methods without a canned reply get
// UNIMPLEMENTED (the clients accept that for Connect and the heartbeat).
// -dump writes the first request message of a method to a file (the grpc C++
// anchor then sends exactly the bytes libmilvus sent).
//
// Messages are raw bytes (a pass-through codec): nothing is parsed, so the
// server's cost per call does not depend on which client sent it.
//
// Transport options mirror the Milvus proxy as tests/peers/go does
// (keepalive policy, 64 MiB receive limit).  Prints "PORT <n>" once it
// listens.
package main

import (
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
)

type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) {
	p, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return *p, nil
}

func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*p = data
	return nil
}

func (rawCodec) String() string { return "proto" }

// pairs parses "a=b,c=d".
func pairs(s string) (map[string]string, error) {
	m := map[string]string{}
	if s == "" {
		return m, nil
	}
	for _, kv := range strings.Split(s, ",") {
		i := strings.IndexByte(kv, '=')
		if i <= 0 {
			return nil, fmt.Errorf("bad pair %q (want Method=value)", kv)
		}
		m[kv[:i]] = kv[i+1:]
	}
	return m, nil
}

// lookup finds the entry for a full method path or its last element.
func lookup(m map[string]string, path string) (string, bool) {
	if v, ok := m[path]; ok {
		return v, true
	}
	v, ok := m[path[strings.LastIndexByte(path, '/')+1:]]
	return v, ok
}

type server struct {
	canned  map[string][]byte
	dump    map[string]string
	hold    map[string]time.Duration
	dumped  sync.Map
	byShort map[string][]byte
}

func (s *server) reply(path string) ([]byte, bool) {
	if b, ok := s.canned[path]; ok {
		return b, true
	}
	b, ok := s.byShort[path[strings.LastIndexByte(path, '/')+1:]]
	return b, ok
}

func (s *server) handle(_ interface{}, stream grpc.ServerStream) error {
	path, _ := grpc.MethodFromServerStream(stream)
	out, ok := s.reply(path)
	if !ok {
		return status.Errorf(codes.Unimplemented, "unknown method %s", path)
	}
	var in []byte
	if err := stream.RecvMsg(&in); err != nil {
		return err
	}
	if f, ok := lookup(s.dump, path); ok {
		if _, done := s.dumped.LoadOrStore(path, true); !done {
			if err := ioutil.WriteFile(f, in, 0o644); err != nil {
				log.Printf("dump %s: %v", f, err)
			}
		}
	}
	if d, ok := s.hold[path[strings.LastIndexByte(path, '/')+1:]]; ok {
		select {
		case <-stream.Context().Done():
			return status.FromContextError(stream.Context().Err()).Err()
		case <-time.After(d):
		}
	}
	return stream.SendMsg(&out)
}

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: any free port)")
	cannedFlag := flag.String("canned", "", "Method=file,... canned response messages")
	dumpFlag := flag.String("dump", "", "Method=file,... write the first request of Method to file")
	holdFlag := flag.String("hold_ms", "", "Method=ms,... delay the reply of Method")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("canned-server: ")

	cf, err := pairs(*cannedFlag)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{canned: map[string][]byte{}, byShort: map[string][]byte{}, hold: map[string]time.Duration{}}
	for k, f := range cf {
		b, err := ioutil.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		if strings.HasPrefix(k, "/") {
			s.canned[k] = b
		} else {
			s.byShort[k] = b
		}
	}
	if s.dump, err = pairs(*dumpFlag); err != nil {
		log.Fatal(err)
	}
	hf, err := pairs(*holdFlag)
	if err != nil {
		log.Fatal(err)
	}
	for k, v := range hf {
		ms, err := strconv.Atoi(v)
		if err != nil {
			log.Fatalf("bad hold %q", v)
		}
		s.hold[k] = time.Duration(ms) * time.Millisecond
	}

	srv := grpc.NewServer(
		grpc.CustomCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(64<<20),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime: 5 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{
			Time: 60 * time.Second, Timeout: 10 * time.Second}),
		grpc.UnknownServiceHandler(s.handle),
	)
	lis, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", fmt.Sprint(*port)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("PORT %d\n", lis.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	log.Fatal(srv.Serve(lis))
}

// SPDX-License-Identifier: Apache-2.0
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
// of every call of that method; "Method=a.bin+b.bin" answers the calls with
// the files in turn (a polled job whose progress changes on every poll).
// Methods without a canned reply get UNIMPLEMENTED (the clients accept that
// for Connect and the heartbeat).
// -dump writes the first request message of a method on each connection to
// a file when it differs from what the file last received (the grpc C++
// anchor then sends exactly the bytes the last libmilvus client sent;
// re-sending them does not rewrite the file).
//
// Messages are raw bytes (a pass-through codec): nothing is parsed, so the
// server's cost per call does not depend on which client sent it.
//
// Transport options mirror the Milvus proxy as tests/peers/go does
// (keepalive policy, 64 MiB receive limit).  Prints "PORT <n>" once it
// listens.
package main

import (
	"libmilvus/tests/peers/go/rawcodec"

	"bytes"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

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

// replies: the canned answers of one method, served in turn
type replies struct {
	msgs [][]byte
	next uint64
}

func (r *replies) pick() []byte {
	if len(r.msgs) == 1 {
		return r.msgs[0]
	}
	n := atomic.AddUint64(&r.next, 1) - 1
	return r.msgs[n%uint64(len(r.msgs))]
}

type server struct {
	canned  map[string]*replies
	dump    map[string]string
	hold    map[string]time.Duration
	dumpMu  sync.Mutex
	dumped  map[string][]byte // path -> what its dump file holds
	conns   sync.Map          // "path peer-address" -> true once seen
	byShort map[string]*replies
}

func (s *server) reply(path string) ([]byte, bool) {
	if r, ok := s.canned[path]; ok {
		return r.pick(), true
	}
	r, ok := s.byShort[path[strings.LastIndexByte(path, '/')+1:]]
	if !ok {
		return nil, false
	}
	return r.pick(), true
}

// dumpFirst writes the first request of path on this connection to f unless
// f already holds those bytes.
func (s *server) dumpFirst(stream grpc.ServerStream, path, f string, in []byte) {
	who := "?"
	if p, ok := peer.FromContext(stream.Context()); ok {
		who = p.Addr.String()
	}
	if _, seen := s.conns.LoadOrStore(path+" "+who, true); seen {
		return
	}
	s.dumpMu.Lock()
	defer s.dumpMu.Unlock()
	if bytes.Equal(s.dumped[path], in) {
		return
	}
	if err := ioutil.WriteFile(f, in, 0o644); err != nil {
		log.Printf("dump %s: %v", f, err)
		return
	}
	s.dumped[path] = append([]byte(nil), in...) // the codec may reuse in
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
		s.dumpFirst(stream, path, f, in)
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
	s := &server{canned: map[string]*replies{}, byShort: map[string]*replies{},
		hold: map[string]time.Duration{}, dumped: map[string][]byte{}}
	for k, files := range cf {
		r := &replies{}
		for _, f := range strings.Split(files, "+") {
			b, err := ioutil.ReadFile(f)
			if err != nil {
				log.Fatal(err)
			}
			r.msgs = append(r.msgs, b)
		}
		if strings.HasPrefix(k, "/") {
			s.canned[k] = r
		} else {
			s.byShort[k] = r
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
		grpc.CustomCodec(rawcodec.Codec{}),
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

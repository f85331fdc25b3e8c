// SPDX-License-Identifier: Apache-2.0
// A grpc-go grpc.testing.TestService server shaped like the Milvus proxy:
// cmux shares the plaintext port between gRPC (content-type exactly
// "application/grpc") and an HTTP/1 fallback, with Milvus's keepalive
// policy and a 64 MiB receive limit.  TLS mode serves gRPC alone.
//
// Messages are handled as raw bytes and parsed with protowire: Debian's
// generated google.golang.org/grpc/test/grpc_testing (grpc-go 1.33) lacks
// SimpleRequest.response_status (field 7), which the interop cases need.
//
// Prints "PORT <n>" on stdout once it listens.
package main

import (
	"libmilvus/tests/peers/go/rawcodec"

	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/soheilhy/cmux"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

const (
	echoInitialKey  = "x-grpc-test-echo-initial"
	echoTrailingKey = "x-grpc-test-echo-trailing-bin"
)

// ---- the few message fields the server reads or writes ----------------

type echoStatus struct {
	code    int32
	message string
}

type respParam struct {
	size       int32
	intervalUs int32
}

var errMalformed = status.Error(codes.InvalidArgument, "malformed request message")

// fields calls fn for each top-level field of a protobuf message.
func fields(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64)) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errMalformed
		}
		b = b[n:]
		switch typ {
		case protowire.VarintType:
			x, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return errMalformed
			}
			fn(num, typ, nil, x)
			b = b[m:]
		case protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return errMalformed
			}
			fn(num, typ, v, 0)
			b = b[m:]
		default:
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return errMalformed
			}
			b = b[m:]
		}
	}
	return nil
}

func parseEchoStatus(b []byte) (*echoStatus, error) {
	es := &echoStatus{}
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) {
		switch {
		case num == 1 && typ == protowire.VarintType:
			es.code = int32(x)
		case num == 2 && typ == protowire.BytesType:
			es.message = string(v)
		}
	})
	return es, err
}

// SimpleRequest: response_size = 2, response_status = 7.
func parseSimpleRequest(b []byte) (size int32, es *echoStatus, err error) {
	var inner error
	err = fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) {
		switch {
		case num == 2 && typ == protowire.VarintType:
			size = int32(x)
		case num == 7 && typ == protowire.BytesType:
			es, inner = parseEchoStatus(v)
		}
	})
	if err == nil {
		err = inner
	}
	return
}

// StreamingOutputCallRequest: response_parameters = 2, response_status = 7.
func parseStreamingRequest(b []byte) (params []respParam, es *echoStatus, err error) {
	var inner error
	err = fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) {
		switch {
		case num == 2 && typ == protowire.BytesType:
			var p respParam
			if e := fields(v, func(n2 protowire.Number, t2 protowire.Type, _ []byte, y uint64) {
				if t2 != protowire.VarintType {
					return
				}
				switch n2 {
				case 1:
					p.size = int32(y)
				case 2:
					p.intervalUs = int32(y)
				}
			}); e != nil {
				inner = e
			}
			params = append(params, p)
		case num == 7 && typ == protowire.BytesType:
			es, inner = parseEchoStatus(v)
		}
	})
	if err == nil {
		err = inner
	}
	return
}

// A message whose field 1 is Payload{type COMPRESSABLE, body = size zero
// bytes}: both SimpleResponse and StreamingOutputCallResponse.
func payloadMessage(size int32) ([]byte, error) {
	if size < 0 {
		return nil, status.Error(codes.InvalidArgument, "negative response size")
	}
	var payload []byte
	if size > 0 {
		payload = protowire.AppendTag(payload, 2, protowire.BytesType)
		payload = protowire.AppendBytes(payload, make([]byte, size))
	}
	out := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(out, payload), nil
}

func (es *echoStatus) err() error {
	if es == nil || es.code == 0 {
		return nil
	}
	return status.Error(codes.Code(es.code), es.message)
}

// echoMetadata returns the initial and trailing metadata the interop
// custom_metadata case asks the server to echo.
func echoMetadata(ctx context.Context) (hdr, trl metadata.MD) {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get(echoInitialKey); len(v) > 0 {
		hdr = metadata.Pairs(echoInitialKey, v[0])
	}
	if v := md.Get(echoTrailingKey); len(v) > 0 {
		trl = metadata.Pairs(echoTrailingKey, v[0])
	}
	return
}

func sleepCtx(ctx context.Context, us int32) error {
	if us <= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(us) * time.Microsecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	case <-t.C:
		return nil
	}
}

// ---- handlers -----------------------------------------------------------

func emptyCall(_ interface{}, ctx context.Context, dec func(interface{}) error,
	_ grpc.UnaryServerInterceptor) (interface{}, error) {
	var in []byte
	if err := dec(&in); err != nil {
		return nil, err
	}
	hdr, trl := echoMetadata(ctx)
	if hdr != nil {
		grpc.SendHeader(ctx, hdr)
	}
	if trl != nil {
		grpc.SetTrailer(ctx, trl)
	}
	out := []byte{}
	return &out, nil
}

func unaryCall(_ interface{}, ctx context.Context, dec func(interface{}) error,
	_ grpc.UnaryServerInterceptor) (interface{}, error) {
	var in []byte
	if err := dec(&in); err != nil {
		return nil, err
	}
	size, es, err := parseSimpleRequest(in)
	if err != nil {
		return nil, err
	}
	hdr, trl := echoMetadata(ctx)
	if hdr != nil {
		grpc.SendHeader(ctx, hdr)
	}
	if trl != nil {
		grpc.SetTrailer(ctx, trl)
	}
	if err := es.err(); err != nil {
		return nil, err
	}
	out, err := payloadMessage(size)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func streamingOutputCall(_ interface{}, stream grpc.ServerStream) error {
	var in []byte
	if err := stream.RecvMsg(&in); err != nil {
		return err
	}
	params, es, err := parseStreamingRequest(in)
	if err != nil {
		return err
	}
	hdr, trl := echoMetadata(stream.Context())
	if hdr != nil {
		stream.SendHeader(hdr)
	}
	if trl != nil {
		stream.SetTrailer(trl)
	}
	for _, p := range params {
		if err := sleepCtx(stream.Context(), p.intervalUs); err != nil {
			return err
		}
		out, err := payloadMessage(p.size)
		if err != nil {
			return err
		}
		if err := stream.SendMsg(&out); err != nil {
			return err
		}
	}
	return es.err()
}

// The service is described by hand because the messages are raw bytes;
// UnimplementedCall is deliberately absent so that grpc-go itself answers
// UNIMPLEMENTED for it.
var testServiceDesc = grpc.ServiceDesc{
	ServiceName: "grpc.testing.TestService",
	HandlerType: (*interface{})(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "EmptyCall", Handler: emptyCall},
		{MethodName: "UnaryCall", Handler: unaryCall},
	},
	Streams: []grpc.StreamDesc{
		{StreamName: "StreamingOutputCall", Handler: streamingOutputCall, ServerStreams: true},
	},
	Metadata: "grpc_testing.proto",
}

// rawBench answers every unary method under /bench.Raw/ with a canned
// message of a fixed size (for benchmarks: no parsing, no allocation per
// call beyond grpc-go's own).
func rawBench(canned []byte) grpc.StreamHandler {
	return func(_ interface{}, stream grpc.ServerStream) error {
		method, _ := grpc.MethodFromServerStream(stream)
		if !strings.HasPrefix(method, "/bench.Raw/") {
			return status.Errorf(codes.Unimplemented, "unknown method %s", method)
		}
		var in []byte
		if err := stream.RecvMsg(&in); err != nil {
			return err
		}
		return stream.SendMsg(&canned)
	}
}

// ---- main ---------------------------------------------------------------

func tlsConfig(cert, key, clientCA string) (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	if clientCA != "" {
		pem, err := ioutil.ReadFile(clientCA)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("no certificate in " + clientCA)
		}
		// Milvus tlsMode 2: mutual TLS, TLS 1.3 only.
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.MinVersion = tls.VersionTLS13
	}
	return cfg, nil
}

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 0, "port (0: any free port)")
	cert := flag.String("cert", "", "server certificate (PEM); enables TLS")
	key := flag.String("key", "", "server private key (PEM)")
	clientCA := flag.String("client_ca", "", "CA for client certificates (mutual TLS)")
	rawSize := flag.Int("bench_raw_size", -1, "serve /bench.Raw/* with a canned response of this many bytes (-1: off)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("go-peer: ")

	opts := []grpc.ServerOption{
		grpc.CustomCodec(rawcodec.Codec{}),
		grpc.MaxRecvMsgSize(64 << 20),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime: 5 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{
			Time: 60 * time.Second, Timeout: 10 * time.Second}),
	}
	if *rawSize >= 0 {
		opts = append(opts, grpc.UnknownServiceHandler(rawBench(make([]byte, *rawSize))))
	}
	useTLS := *cert != ""
	if useTLS {
		cfg, err := tlsConfig(*cert, *key, *clientCA)
		if err != nil {
			log.Fatal(err)
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg)))
	}
	srv := grpc.NewServer(opts...)
	srv.RegisterService(&testServiceDesc, nil)

	lis, err := net.Listen("tcp", net.JoinHostPort(*host, fmt.Sprint(*port)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("PORT %d\n", lis.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()

	if useTLS {
		log.Fatal(srv.Serve(lis))
	}
	m := cmux.New(lis)
	grpcL := m.MatchWithWriters(cmux.HTTP2MatchHeaderFieldSendSettings("content-type", "application/grpc"))
	httpL := m.Match(cmux.Any())
	web := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintln(w, "HTTP fallback: not a gRPC request")
	})}
	go srv.Serve(grpcL)
	go web.Serve(httpL)
	log.Fatal(m.Serve())
}

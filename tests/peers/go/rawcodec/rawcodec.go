// SPDX-License-Identifier: Apache-2.0

// Package rawcodec is the pass-through codec of the test suite's grpc-go
// servers (tests/peers/go, tests/peers/go/canned): messages stay bytes, so
// a server parses only what it chooses to and its cost per call does not
// depend on which client sent it.
package rawcodec

import "fmt"

// Codec marshals a *[]byte as its bytes and unmarshals into one.  It
// names itself "proto": clients send application/grpc (+proto).
type Codec struct{}

// Marshal returns the bytes *v holds.
func (Codec) Marshal(v interface{}) ([]byte, error) {
	p, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawcodec: cannot marshal %T", v)
	}
	return *p, nil
}

// Unmarshal stores data in *v without a copy: grpc-go hands a codec of
// this (pre-mem.BufferSlice) interface a slice of its own (it
// materializes the received buffers for it), which is never reused, and
// the benchmark server must not spend a copy of every 30 MB insert.
func (Codec) Unmarshal(data []byte, v interface{}) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawcodec: cannot unmarshal into %T", v)
	}
	*p = data
	return nil
}

// Name is the content-subtype the codec answers for.
func (Codec) Name() string { return "proto" }

// String is the name, for the grpc.CustomCodec interface.
func (Codec) String() string { return "proto" }

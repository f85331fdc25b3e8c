// SPDX-License-Identifier: Apache-2.0
module libmilvus/tests

go 1.24

require (
	github.com/soheilhy/cmux v0.1.5
	google.golang.org/grpc v1.71.0
	google.golang.org/protobuf v1.36.4
)

require (
	golang.org/x/net v0.34.0 // indirect
	golang.org/x/sys v0.29.0 // indirect
	golang.org/x/text v0.21.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20250115164207-1a7da9e5054f // indirect
)

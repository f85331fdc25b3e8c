// SPDX-License-Identifier: Apache-2.0

package main

// The canned answers: just enough for the clients to take every step of
// tests/golden/script.txt and tests/golden/script-snapshot.txt as a success.  Every method not in the table is
// answered with an empty message, which decodes as the default response
// (status absent = code 0 = Success for libmilvus, and merr.Ok(nil) for the
// Go client).

import (
	"github.com/milvus-io/milvus-proto/go-api/v2/commonpb"
	"github.com/milvus-io/milvus-proto/go-api/v2/milvuspb"
	"github.com/milvus-io/milvus-proto/go-api/v2/schemapb"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

const (
	identifier   = 4242 // ConnectResponse.identifier, sent back as metadata
	collectionID = 1001
	compactionID = 4243
	segmentID    = 5001
	schemaTs     = 449000000000000000 // DescribeCollection update_timestamp
	restoreJobID = 6001               // RestoreSnapshot / RestoreExternalSnapshot job_id
	exportJobID  = 6002               // ExportSnapshot job_id
	pinID        = 7001               // PinSnapshotData pin_id
	jobStartMs   = 1767225600000      // snapshot jobs' start_time (ms)
)

var ok = &commonpb.Status{} // code 0, error_code Success

func kv(k, v string) *commonpb.KeyValuePair { return &commonpb.KeyValuePair{Key: k, Value: v} }

// schemaOf answers DescribeCollection with the schema the scripts create
// (script.txt CreateCollection, CreateCollectionQuick, CreateTypesCollection),
// with field ids as a server assigns them.
func schemaOf(name string) *schemapb.CollectionSchema {
	dim := func(n string) []*commonpb.KeyValuePair { return []*commonpb.KeyValuePair{kv("dim", n)} }
	var fields []*schemapb.FieldSchema
	s := &schemapb.CollectionSchema{Name: name}
	switch name {
	case "golden_quick":
		s.AutoID, s.EnableDynamicField = true, true
		fields = []*schemapb.FieldSchema{
			{Name: "id", IsPrimaryKey: true, AutoID: true, DataType: schemapb.DataType_Int64},
			{Name: "vector", DataType: schemapb.DataType_FloatVector, TypeParams: dim("4")},
			{Name: "$meta", DataType: schemapb.DataType_JSON, IsDynamic: true},
		}
	case "golden_types":
		fields = []*schemapb.FieldSchema{
			{Name: "pk", IsPrimaryKey: true, DataType: schemapb.DataType_VarChar,
				TypeParams: []*commonpb.KeyValuePair{kv("max_length", "32")}},
			{Name: "i8", DataType: schemapb.DataType_Int8},
			{Name: "i16", DataType: schemapb.DataType_Int16},
			{Name: "i32", DataType: schemapb.DataType_Int32},
			{Name: "f", DataType: schemapb.DataType_Float},
			{Name: "b", DataType: schemapb.DataType_Bool},
			{Name: "note", DataType: schemapb.DataType_VarChar, Nullable: true,
				TypeParams: []*commonpb.KeyValuePair{kv("max_length", "16")}},
			{Name: "tenant", DataType: schemapb.DataType_VarChar, IsPartitionKey: true,
				TypeParams: []*commonpb.KeyValuePair{kv("max_length", "16")}},
			{Name: "cl", DataType: schemapb.DataType_Int64, IsClusteringKey: true},
			{Name: "arr", DataType: schemapb.DataType_Array, ElementType: schemapb.DataType_Int64,
				TypeParams: []*commonpb.KeyValuePair{kv("max_capacity", "3")}},
			{Name: "bin", DataType: schemapb.DataType_BinaryVector, TypeParams: dim("16")},
			{Name: "f16", DataType: schemapb.DataType_Float16Vector, TypeParams: dim("4")},
			{Name: "bf16", DataType: schemapb.DataType_BFloat16Vector, TypeParams: dim("4")},
			{Name: "sp", DataType: schemapb.DataType_SparseFloatVector},
			{Name: "i8v", DataType: schemapb.DataType_Int8Vector, TypeParams: dim("4")},
		}
	default: // golden_coll, also under its new name
		s.Description, s.EnableDynamicField = "golden schema", true
		fields = []*schemapb.FieldSchema{
			{Name: "id", Description: "primary key", IsPrimaryKey: true, DataType: schemapb.DataType_Int64},
			{Name: "title", DataType: schemapb.DataType_VarChar,
				TypeParams: []*commonpb.KeyValuePair{kv("max_length", "64")}},
			{Name: "score", DataType: schemapb.DataType_Double,
				DefaultValue: &schemapb.ValueField{Data: &schemapb.ValueField_DoubleData{DoubleData: 1.5}}},
			{Name: "rank", DataType: schemapb.DataType_Int32, Nullable: true},
			{Name: "flag", DataType: schemapb.DataType_Bool},
			{Name: "vec", DataType: schemapb.DataType_FloatVector, TypeParams: dim("4")},
			{Name: "meta", DataType: schemapb.DataType_JSON},
			{Name: "tags", DataType: schemapb.DataType_Array, ElementType: schemapb.DataType_VarChar,
				TypeParams: []*commonpb.KeyValuePair{kv("max_capacity", "4"), kv("max_length", "16")}},
			{Name: "$meta", DataType: schemapb.DataType_JSON, IsDynamic: true},
		}
	}
	for i, f := range fields {
		f.FieldID = int64(100 + i)
	}
	s.Fields = fields
	return s
}

// primaryKeys echoes the primary keys of an insert or upsert ("id" int64,
// "pk" varchar).
func primaryKeys(fields []*schemapb.FieldData) *schemapb.IDs {
	for _, f := range fields {
		switch f.GetFieldName() {
		case "id":
			return intIDs(f.GetScalars().GetLongData().GetData()...)
		case "pk":
			return strIDs(f.GetScalars().GetStringData().GetData()...)
		}
	}
	return intIDs()
}

func intIDs(v ...int64) *schemapb.IDs {
	return &schemapb.IDs{IdField: &schemapb.IDs_IntId{IntId: &schemapb.LongArray{Data: v}}}
}

func strIDs(v ...string) *schemapb.IDs {
	return &schemapb.IDs{IdField: &schemapb.IDs_StrId{StrId: &schemapb.StringArray{Data: v}}}
}

func int64Field(name string, v ...int64) *schemapb.FieldData {
	return &schemapb.FieldData{FieldName: name, Type: schemapb.DataType_Int64,
		Field: &schemapb.FieldData_Scalars{Scalars: &schemapb.ScalarField{
			Data: &schemapb.ScalarField_LongData{LongData: &schemapb.LongArray{Data: v}}}}}
}

// searchHit: one query, one hit (id 1 or "a", score 0.5), no output fields;
// for a search iterator (search_iter_v2) also the iterator token and bound.
func searchHit(collection string, params []*commonpb.KeyValuePair) *milvuspb.SearchResults {
	ids := intIDs(1)
	if collection == "golden_types" {
		ids = strIDs("a")
	}
	r := &milvuspb.SearchResults{Status: ok, CollectionName: collection, Results: &schemapb.SearchResultData{
		NumQueries: 1, TopK: 1, Topks: []int64{1}, Scores: []float32{0.5}, Ids: ids,
	}}
	for _, p := range params {
		if p.GetKey() == "search_iter_v2" {
			r.Results.SearchIteratorV2Results = &schemapb.SearchIteratorV2Results{Token: "golden-token", LastBound: 0.1}
		}
	}
	return r
}

func decodeInto[T proto.Message](req []byte, m T) T {
	_ = proto.Unmarshal(req, m) // a bad request just gets the defaults
	return m
}

// responses: method name -> answer built from the request bytes.
var responses = map[string]func(req []byte) proto.Message{
	"Connect": func([]byte) proto.Message {
		return &milvuspb.ConnectResponse{Status: ok, Identifier: identifier,
			ServerInfo: &commonpb.ServerInfo{BuildTags: "v2.6.2", DeployMode: "STANDALONE"}}
	},
	"GetVersion": func([]byte) proto.Message {
		return &milvuspb.GetVersionResponse{Status: ok, Version: "v2.6.2"}
	},
	"CheckHealth": func([]byte) proto.Message {
		return &milvuspb.CheckHealthResponse{Status: ok, IsHealthy: true}
	},
	"ListDatabases": func([]byte) proto.Message {
		return &milvuspb.ListDatabasesResponse{Status: ok, DbNames: []string{"default", "golden_db"},
			DbIds: []int64{1, 2}}
	},
	"DescribeDatabase": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.DescribeDatabaseRequest{})
		return &milvuspb.DescribeDatabaseResponse{Status: ok, DbName: r.GetDbName(), DbID: 2}
	},
	"DescribeCollection": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.DescribeCollectionRequest{})
		return &milvuspb.DescribeCollectionResponse{Status: ok, CollectionID: collectionID,
			CollectionName: r.GetCollectionName(), Schema: schemaOf(r.GetCollectionName()),
			ShardsNum: 1, ConsistencyLevel: commonpb.ConsistencyLevel_Bounded,
			VirtualChannelNames: []string{"dml_0_1001v0"}, PhysicalChannelNames: []string{"dml_0"},
			UpdateTimestamp: schemaTs}
	},
	"HasCollection": func([]byte) proto.Message {
		return &milvuspb.BoolResponse{Status: ok, Value: true}
	},
	"ShowCollections": func([]byte) proto.Message {
		return &milvuspb.ShowCollectionsResponse{Status: ok, CollectionNames: []string{"golden_coll"},
			CollectionIds: []int64{collectionID}}
	},
	"GetCollectionStatistics": func([]byte) proto.Message {
		return &milvuspb.GetCollectionStatisticsResponse{Status: ok,
			Stats: []*commonpb.KeyValuePair{kv("row_count", "3")}}
	},
	"HasPartition": func([]byte) proto.Message {
		return &milvuspb.BoolResponse{Status: ok, Value: true}
	},
	"ShowPartitions": func([]byte) proto.Message {
		return &milvuspb.ShowPartitionsResponse{Status: ok,
			PartitionNames: []string{"_default", "golden_part"}, PartitionIDs: []int64{2001, 2002}}
	},
	"GetPartitionStatistics": func([]byte) proto.Message {
		return &milvuspb.GetPartitionStatisticsResponse{Status: ok,
			Stats: []*commonpb.KeyValuePair{kv("row_count", "0")}}
	},
	"DescribeIndex": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.DescribeIndexRequest{})
		field, name := r.GetFieldName(), r.GetIndexName()
		if field == "" {
			field = "vec"
		}
		if name == "" {
			name = field
		}
		return &milvuspb.DescribeIndexResponse{Status: ok, IndexDescriptions: []*milvuspb.IndexDescription{{
			IndexName: name, IndexID: 3001, FieldName: field, State: commonpb.IndexState_Finished,
			IndexedRows: 3, TotalRows: 3,
			Params: []*commonpb.KeyValuePair{kv("index_type", "HNSW"), kv("metric_type", "COSINE"),
				kv("M", "16"), kv("efConstruction", "64")},
		}}}
	},
	"GetLoadState": func([]byte) proto.Message {
		return &milvuspb.GetLoadStateResponse{Status: ok, State: commonpb.LoadState_LoadStateLoaded}
	},
	"GetLoadingProgress": func([]byte) proto.Message {
		return &milvuspb.GetLoadingProgressResponse{Status: ok, Progress: 100, RefreshProgress: 100}
	},
	"Insert": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.InsertRequest{})
		return &milvuspb.MutationResult{Status: ok, IDs: primaryKeys(r.GetFieldsData()),
			InsertCnt: int64(r.GetNumRows()), Timestamp: schemaTs + 1}
	},
	"Upsert": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.UpsertRequest{})
		return &milvuspb.MutationResult{Status: ok, IDs: primaryKeys(r.GetFieldsData()),
			UpsertCnt: int64(r.GetNumRows()), Timestamp: schemaTs + 2}
	},
	"Delete": func([]byte) proto.Message {
		return &milvuspb.MutationResult{Status: ok, DeleteCnt: 1, Timestamp: schemaTs + 3,
			IDs: intIDs()}
	},
	"Flush": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.FlushRequest{})
		resp := &milvuspb.FlushResponse{Status: ok, DbName: r.GetDbName(),
			CollSegIDs: map[string]*schemapb.LongArray{}, FlushCollSegIDs: map[string]*schemapb.LongArray{},
			CollFlushTs: map[string]uint64{}}
		for _, c := range r.GetCollectionNames() {
			resp.CollSegIDs[c] = &schemapb.LongArray{Data: []int64{segmentID}}
			resp.FlushCollSegIDs[c] = &schemapb.LongArray{Data: []int64{segmentID}}
			resp.CollFlushTs[c] = schemaTs + 4
		}
		return resp
	},
	"GetFlushState": func([]byte) proto.Message {
		return &milvuspb.GetFlushStateResponse{Status: ok, Flushed: true}
	},
	"Search": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.SearchRequest{})
		return searchHit(r.GetCollectionName(), r.GetSearchParams())
	},
	"HybridSearch": func(req []byte) proto.Message {
		return searchHit(decodeInto(req, &milvuspb.HybridSearchRequest{}).GetCollectionName(), nil)
	},
	"Query": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.QueryRequest{})
		for _, f := range r.GetOutputFields() {
			if f == "count(*)" {
				return &milvuspb.QueryResults{Status: ok, OutputFields: []string{"count(*)"},
					FieldsData: []*schemapb.FieldData{int64Field("count(*)", 3)}}
			}
		}
		if r.GetCollectionName() == "golden_types" {
			return &milvuspb.QueryResults{Status: ok, OutputFields: []string{"pk"}, PrimaryFieldName: "pk",
				FieldsData: []*schemapb.FieldData{{FieldName: "pk", Type: schemapb.DataType_VarChar,
					Field: &schemapb.FieldData_Scalars{Scalars: &schemapb.ScalarField{
						Data: &schemapb.ScalarField_StringData{StringData: &schemapb.StringArray{Data: []string{"a"}}}}}}}}
		}
		return &milvuspb.QueryResults{Status: ok, OutputFields: []string{"id"},
			FieldsData: []*schemapb.FieldData{int64Field("id", 1)}, PrimaryFieldName: "id"}
	},
	"ManualCompaction": func([]byte) proto.Message {
		return &milvuspb.ManualCompactionResponse{Status: ok, CompactionID: compactionID, CompactionPlanCount: 1}
	},
	"GetCompactionState": func([]byte) proto.Message {
		return &milvuspb.GetCompactionStateResponse{Status: ok, State: commonpb.CompactionState_Completed,
			CompletedPlanNo: 1}
	},
	"DescribeAlias": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.DescribeAliasRequest{})
		return &milvuspb.DescribeAliasResponse{Status: ok, Alias: r.GetAlias(), Collection: "golden_coll"}
	},
	"ListAliases": func(req []byte) proto.Message {
		r := decodeInto(req, &milvuspb.ListAliasesRequest{})
		return &milvuspb.ListAliasesResponse{Status: ok, CollectionName: r.GetCollectionName(),
			Aliases: []string{"golden_alias"}}
	},
}

// respond answers method name (the last element of the gRPC path).
func respond(name string, req []byte) proto.Message {
	if f, ok := responses[name]; ok {
		return f(req)
	}
	return &commonpb.Status{} // every other method: an empty message
}

// respondBytes is the serialized answer: the raw snapshot answers below,
// else respond's message.
func respondBytes(name string, req []byte) ([]byte, error) {
	if f, ok := rawResponses[name]; ok {
		return f(req), nil
	}
	return proto.Marshal(respond(name, req))
}

// ---- snapshots -------------------------------------------------------------

// The snapshot messages (milvus.proto CreateSnapshotRequest ... ) are newer
// than the milvuspb of go.mod, so their answers are written with protowire,
// field numbers from proto/milvus.proto.  Names as in
// tests/golden/script-snapshot.txt (pyclient.py, cclient.c).

type wire []byte

func (w wire) str(n protowire.Number, v string) wire {
	return protowire.AppendString(protowire.AppendTag(w, n, protowire.BytesType), v)
}

func (w wire) varint(n protowire.Number, v uint64) wire {
	return protowire.AppendVarint(protowire.AppendTag(w, n, protowire.VarintType), v)
}

func (w wire) msg(n protowire.Number, m wire) wire {
	return protowire.AppendBytes(protowire.AppendTag(w, n, protowire.BytesType), m)
}

// okStatus: field 1 (common.Status) present and empty, like Status: ok above.
func okStatus() wire { return wire(nil).msg(1, nil) }

// restoreJob: a RestoreSnapshotInfo in state RestoreSnapshotCompleted (3).
func restoreJob() wire {
	return wire(nil).varint(1, restoreJobID).str(2, "golden_snap").str(3, "golden_db").
		str(4, "golden_restored").varint(5, 3).varint(6, 100).
		varint(8, jobStartMs).varint(9, 1500)
}

// exportJob: an ExportSnapshotInfo in state ExportSnapshotCompleted (3).
func exportJob() wire {
	return wire(nil).varint(1, exportJobID).str(2, "golden_snap").str(3, "golden_db").
		str(4, "golden_coll").varint(5, 3).varint(6, 100).
		varint(8, jobStartMs).varint(9, 2500).varint(10, 4).varint(11, 4).
		str(12, "s3://golden-bucket/export/golden_snap/metadata.json").varint(13, 4096)
}

var rawResponses = map[string]func(req []byte) []byte{
	// CreateSnapshot, DropSnapshot, UnpinSnapshotData: common.Status, the
	// empty default answer.
	"ListSnapshots": func([]byte) []byte { // ListSnapshotsResponse
		return okStatus().str(2, "golden_snap")
	},
	"DescribeSnapshot": func([]byte) []byte { // DescribeSnapshotResponse
		return okStatus().str(2, "golden_snap").str(3, "golden snapshot").str(4, "golden_coll").
			str(5, "_default").varint(6, schemaTs+5).str(7, "files/snapshots/1001/golden_snap")
	},
	"RestoreSnapshot": func([]byte) []byte { // RestoreSnapshotResponse
		return okStatus().varint(2, restoreJobID)
	},
	"RestoreExternalSnapshot": func([]byte) []byte { // RestoreExternalSnapshotResponse
		return okStatus().varint(2, restoreJobID)
	},
	"ExportSnapshot": func([]byte) []byte { // ExportSnapshotResponse
		return okStatus().varint(3, exportJobID)
	},
	"GetRestoreSnapshotState": func([]byte) []byte { // GetRestoreSnapshotStateResponse
		return okStatus().msg(2, restoreJob())
	},
	"ListRestoreSnapshotJobs": func([]byte) []byte { // ListRestoreSnapshotJobsResponse
		return okStatus().msg(2, restoreJob())
	},
	"GetExportSnapshotState": func([]byte) []byte { // GetExportSnapshotStateResponse
		return okStatus().msg(2, exportJob())
	},
	"PinSnapshotData": func([]byte) []byte { // PinSnapshotDataResponse
		return okStatus().varint(2, pinID)
	},
}

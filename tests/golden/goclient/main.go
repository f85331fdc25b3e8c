// SPDX-License-Identifier: Apache-2.0

// goclient: runs tests/golden/script.txt with the official Milvus Go client
// (github.com/milvus-io/milvus/client/v2 v2.6.2, the newest the Go module
// proxy serves) against the capture server, so that its requests become
// the reference for libmilvus's (tests/golden/cclient.c runs the same
// script with the same arguments).
//
//	goclient -addr 127.0.0.1:PORT -mark 127.0.0.1:MARK -script script.txt
//
// Before each operation it sends "OP <name>" to the capture server's marker
// port and waits for "OK"; operations run one at a time.  Exit status 1
// when an operation failed (the others still run).
//
// The script is the intersection of both APIs.  libmilvus operations the
// Go client v2.6.2 lacks, hence not compared:
//   - milvus_client_check_health (CheckHealth: no Go method)
//   - the twelve snapshot RPCs of <milvus/snapshot.h>: create, drop, list,
//     describe, restore, get_restore_snapshot_state, list_restore_snapshot_jobs, export,
//     get_export_snapshot_state, restore_external, pin, unpin (and the compositions
//     flush_and_snapshot, *_and_wait, await_restore, await_export)
//
// The iterators (QueryIterator, SearchIterator) run with batch size 1 and
// a limit of 2, so that the canned answers (always one row or hit) end
// them after two batches.
//
// libmilvus compositions are scripted as the Go client's equivalent steps:
// AwaitIndex (milvus_client_await_index vs CreateIndexTask.Await),
// AwaitLoad / AwaitLoadPartitions (milvus_client_await_load vs
// LoadTask.Await), FlushAndWait (milvus_client_flush_and_wait vs Flush +
// FlushTask.Await), Count / CountAll (milvus_client_count vs Query with
// count(*)), DeleteIds / DeleteVarchar (milvus_client_delete_ids vs
// DeleteOption.WithInt64IDs / WithStringIDs), CreateCollectionQuick
// (milvus_client_create_collection_quick vs SimpleCreateCollectionOptions),
// InsertZeroCopy (libmilvus's zero-copy insert vs a plain Go insert: the
// bytes must not depend on it).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strings"

	"github.com/milvus-io/milvus/client/v2/column"
	"github.com/milvus-io/milvus/client/v2/entity"
	"github.com/milvus-io/milvus/client/v2/index"
	"github.com/milvus-io/milvus/client/v2/milvusclient"
)

// The fixed arguments (the same constants are in cclient.c).
const (
	types     = "golden_types"
	db        = "golden_db"
	coll      = "golden_coll"
	collNew   = "golden_coll_renamed"
	quick     = "golden_quick"
	partition = "golden_part"
	alias     = "golden_alias"
	indexName = "vec_idx"
	dim       = 4
)

var (
	queryVec  = []float32{0.1, 0.2, 0.3, 0.4}
	queryVec2 = []float32{-0.4, 0.3, -0.2, 0.1}
	// float16 / bfloat16 rows as little-endian bytes of 16-bit words
	// (cclient.c has the words).
	f16Row0  = []byte{0x00, 0x3c, 0x00, 0x40, 0x00, 0xbc, 0x00, 0x00} // 1, 2, -1, 0
	f16Row1  = []byte{0x00, 0x38, 0x00, 0x34, 0x01, 0x00, 0xff, 0x7b} // 0.5, 0.25, tiny, max
	bf16Row0 = []byte{0x80, 0x3f, 0x00, 0x40, 0x80, 0xbf, 0x00, 0x00} // 1, 2, -1, 0
	bf16Row1 = []byte{0x00, 0x3f, 0x80, 0x3e, 0x01, 0x00, 0x7f, 0x7f} // 0.5, 0.25, tiny, big
)

// rows builds the eight columns of the golden schema for three rows.
func rows(ids []int64, titles []string) []column.Column {
	rank, err := column.NewNullableColumnInt32("rank", []int32{7, 9}, []bool{true, false, true})
	if err != nil {
		panic(err)
	}
	return []column.Column{
		column.NewColumnInt64("id", ids),
		column.NewColumnVarChar("title", titles),
		column.NewColumnDouble("score", []float64{0.5, 1.25, -2}),
		rank,
		column.NewColumnBool("flag", []bool{true, false, true}),
		column.NewColumnFloatVector("vec", dim, [][]float32{
			{0.1, 0.2, 0.3, 0.4}, {0.5, 0.6, 0.7, 0.8}, {-0.1, -0.2, -0.3, -0.4}}),
		column.NewColumnJSONBytes("meta", [][]byte{
			[]byte(`{"k":1}`), []byte(`{"k":2,"s":"x"}`), []byte(`{}`)}),
		column.NewColumnVarCharArray("tags", [][]string{{"a", "b"}, {}, {"c"}}),
	}
}

type runner struct {
	ctx          context.Context
	addr         string
	c            *milvusclient.Client
	indexTask    *milvusclient.CreateIndexTask
	loadTask     milvusclient.LoadTask
	compactionID int64
}

func (r *runner) ops() map[string]func() error {
	ctx := r.ctx
	return map[string]func() error{
		"Connect": func() (err error) {
			r.c, err = milvusclient.New(ctx, &milvusclient.ClientConfig{
				Address: r.addr, Username: "root", Password: "Milvus"})
			return err
		},
		"GetServerVersion": func() error {
			_, err := r.c.GetServerVersion(ctx, milvusclient.NewGetServerVersionOption())
			return err
		},
		"ListDatabases": func() error {
			_, err := r.c.ListDatabase(ctx, milvusclient.NewListDatabaseOption())
			return err
		},
		"CreateDatabase": func() error {
			return r.c.CreateDatabase(ctx, milvusclient.NewCreateDatabaseOption(db))
		},
		"DescribeDatabase": func() error {
			_, err := r.c.DescribeDatabase(ctx, milvusclient.NewDescribeDatabaseOption(db))
			return err
		},
		"AlterDatabaseProperties": func() error {
			return r.c.AlterDatabaseProperties(ctx, milvusclient.NewAlterDatabasePropertiesOption(db).
				WithProperty("database.max.collections", 10))
		},
		"DropDatabaseProperties": func() error {
			return r.c.DropDatabaseProperties(ctx,
				milvusclient.NewDropDatabasePropertiesOption(db, "database.max.collections"))
		},
		"UseDatabase": func() error {
			return r.c.UseDatabase(ctx, milvusclient.NewUseDatabaseOption(db))
		},
		"CreateCollection": func() error {
			schema := entity.NewSchema().WithDescription("golden schema").WithDynamicFieldEnabled(true).
				WithField(entity.NewField().WithName("id").WithDescription("primary key").
					WithDataType(entity.FieldTypeInt64).WithIsPrimaryKey(true)).
				WithField(entity.NewField().WithName("title").WithDataType(entity.FieldTypeVarChar).
					WithMaxLength(64)).
				WithField(entity.NewField().WithName("score").WithDataType(entity.FieldTypeDouble).
					WithDefaultValueDouble(1.5)).
				WithField(entity.NewField().WithName("rank").WithDataType(entity.FieldTypeInt32).
					WithNullable(true)).
				WithField(entity.NewField().WithName("flag").WithDataType(entity.FieldTypeBool)).
				WithField(entity.NewField().WithName("vec").WithDataType(entity.FieldTypeFloatVector).
					WithDim(dim)).
				WithField(entity.NewField().WithName("meta").WithDataType(entity.FieldTypeJSON)).
				WithField(entity.NewField().WithName("tags").WithDataType(entity.FieldTypeArray).
					WithElementType(entity.FieldTypeVarChar).WithMaxCapacity(4).WithMaxLength(16))
			return r.c.CreateCollection(ctx, milvusclient.NewCreateCollectionOption(coll, schema).
				WithShardNum(1).WithConsistencyLevel(entity.ClBounded).
				WithProperty("collection.ttl.seconds", 3600))
		},
		"HasCollection": func() error {
			_, err := r.c.HasCollection(ctx, milvusclient.NewHasCollectionOption(coll))
			return err
		},
		"DescribeCollection": func() error {
			_, err := r.c.DescribeCollection(ctx, milvusclient.NewDescribeCollectionOption(coll))
			return err
		},
		"ListCollections": func() error {
			_, err := r.c.ListCollections(ctx, milvusclient.NewListCollectionOption())
			return err
		},
		"GetCollectionStats": func() error {
			_, err := r.c.GetCollectionStats(ctx, milvusclient.NewGetCollectionStatsOption(coll))
			return err
		},
		"AlterCollectionProperties": func() error {
			return r.c.AlterCollectionProperties(ctx, milvusclient.NewAlterCollectionPropertiesOption(coll).
				WithProperty("collection.ttl.seconds", 7200).WithProperty("mmap.enabled", true))
		},
		"DropCollectionProperties": func() error {
			return r.c.DropCollectionProperties(ctx,
				milvusclient.NewDropCollectionPropertiesOption(coll, "collection.ttl.seconds", "mmap.enabled"))
		},
		"AlterCollectionFieldProperty": func() error {
			return r.c.AlterCollectionFieldProperty(ctx,
				milvusclient.NewAlterCollectionFieldPropertiesOption(coll, "title").WithProperty("max_length", 128))
		},
		"CreatePartition": func() error {
			return r.c.CreatePartition(ctx, milvusclient.NewCreatePartitionOption(coll, partition))
		},
		"HasPartition": func() error {
			_, err := r.c.HasPartition(ctx, milvusclient.NewHasPartitionOption(coll, partition))
			return err
		},
		"ListPartitions": func() error {
			_, err := r.c.ListPartitions(ctx, milvusclient.NewListPartitionOption(coll))
			return err
		},
		"GetPartitionStats": func() error {
			_, err := r.c.GetPartitionStats(ctx, milvusclient.NewGetPartitionStatsOption(coll, partition))
			return err
		},
		"CreateIndex": func() (err error) {
			r.indexTask, err = r.c.CreateIndex(ctx, milvusclient.NewCreateIndexOption(coll, "vec",
				index.NewHNSWIndex(entity.COSINE, 16, 64)).WithIndexName(indexName))
			return err
		},
		"AwaitIndex": func() error {
			if r.indexTask == nil {
				return fmt.Errorf("no CreateIndex before AwaitIndex")
			}
			return r.indexTask.Await(ctx)
		},
		"DescribeIndex": func() error {
			_, err := r.c.DescribeIndex(ctx, milvusclient.NewDescribeIndexOption(coll, indexName))
			return err
		},
		"ListIndexes": func() error {
			_, err := r.c.ListIndexes(ctx, milvusclient.NewListIndexOption(coll))
			return err
		},
		"CreateScalarIndex": func() error {
			_, err := r.c.CreateIndex(ctx, milvusclient.NewCreateIndexOption(coll, "title",
				index.NewInvertedIndex()))
			return err
		},
		"LoadCollection": func() (err error) {
			r.loadTask, err = r.c.LoadCollection(ctx, milvusclient.NewLoadCollectionOption(coll))
			return err
		},
		"AwaitLoad": func() error {
			return r.loadTask.Await(ctx)
		},
		"GetLoadState": func() error {
			_, err := r.c.GetLoadState(ctx, milvusclient.NewGetLoadStateOption(coll))
			return err
		},
		"LoadPartitions": func() (err error) {
			r.loadTask, err = r.c.LoadPartitions(ctx, milvusclient.NewLoadPartitionsOption(coll, partition))
			return err
		},
		"AwaitLoadPartitions": func() error {
			return r.loadTask.Await(ctx)
		},
		"ReleasePartitions": func() error {
			return r.c.ReleasePartitions(ctx, milvusclient.NewReleasePartitionsOptions(coll, partition))
		},
		"LoadReplicas": func() error {
			_, err := r.c.LoadCollection(ctx, milvusclient.NewLoadCollectionOption(coll).WithReplica(2))
			return err
		},
		"RefreshLoad": func() error {
			_, err := r.c.RefreshLoad(ctx, milvusclient.NewRefreshLoadOption(coll))
			return err
		},
		"Insert": func() error {
			_, err := r.c.Insert(ctx, milvusclient.NewColumnBasedInsertOption(coll,
				rows([]int64{1, 2, 3}, []string{"alpha", "beta", "gamma"})...))
			return err
		},
		"Upsert": func() error {
			_, err := r.c.Upsert(ctx, milvusclient.NewColumnBasedInsertOption(coll,
				rows([]int64{3, 4, 5}, []string{"gamma2", "delta", "epsilon"})...))
			return err
		},
		"InsertPartition": func() error {
			_, err := r.c.Insert(ctx, milvusclient.NewColumnBasedInsertOption(coll,
				rows([]int64{11, 12, 13}, []string{"p1", "p2", "p3"})...).WithPartition(partition))
			return err
		},
		"InsertDynamic": func() error {
			cols := append(rows([]int64{21, 22, 23}, []string{"d1", "d2", "d3"}),
				column.NewColumnVarChar("color", []string{"red", "green", "blue"}))
			_, err := r.c.Insert(ctx, milvusclient.NewColumnBasedInsertOption(coll, cols...))
			return err
		},
		"InsertZeroCopy": func() error {
			_, err := r.c.Insert(ctx, milvusclient.NewColumnBasedInsertOption(coll,
				rows([]int64{31, 32, 33}, []string{"z1", "z2", "z3"})...))
			return err
		},
		"InsertEdge": func() error {
			rank, err := column.NewNullableColumnInt32("rank", []int32{}, []bool{false, false, false})
			if err != nil {
				return err
			}
			inf := float32(math.Inf(1))
			_, err = r.c.Insert(ctx, milvusclient.NewColumnBasedInsertOption(coll,
				column.NewColumnInt64("id", []int64{math.MinInt64, 0, math.MaxInt64}),
				column.NewColumnVarChar("title", []string{"", "ünïcødé ✓", "tab\tnew\nline \"q\""}),
				column.NewColumnDouble("score", []float64{math.Copysign(0, -1), 1e308, 5e-324}),
				rank,
				column.NewColumnBool("flag", []bool{false, false, false}),
				column.NewColumnFloatVector("vec", dim, [][]float32{
					{inf, -inf, float32(math.Copysign(0, -1)), 1e-45}, {0, 0, 0, 0}, {3.4028235e38, -1, 1, 0}}),
				column.NewColumnJSONBytes("meta", [][]byte{[]byte(`null`), []byte(`[1,2]`), []byte(`"s"`)}),
				column.NewColumnVarCharArray("tags", [][]string{{""}, {"x", "y", "z", "w"}, {}}),
			))
			return err
		},
		"UpsertPartial": func() error {
			_, err := r.c.Upsert(ctx, milvusclient.NewColumnBasedInsertOption(coll,
				column.NewColumnInt64("id", []int64{1}), column.NewColumnVarChar("title", []string{"alpha2"})).
				WithPartialUpdate(true))
			return err
		},
		"Delete": func() error {
			_, err := r.c.Delete(ctx, milvusclient.NewDeleteOption(coll).WithExpr("id in [1]"))
			return err
		},
		"DeleteIds": func() error {
			_, err := r.c.Delete(ctx, milvusclient.NewDeleteOption(coll).WithInt64IDs("id", []int64{2, 3}))
			return err
		},
		"DeletePartition": func() error {
			_, err := r.c.Delete(ctx, milvusclient.NewDeleteOption(coll).WithExpr("id in [11]").
				WithPartition(partition))
			return err
		},
		"Flush": func() error {
			_, err := r.c.Flush(ctx, milvusclient.NewFlushOption(coll))
			return err
		},
		"FlushAndWait": func() error {
			task, err := r.c.Flush(ctx, milvusclient.NewFlushOption(coll))
			if err != nil {
				return err
			}
			return task.Await(ctx)
		},
		"Search": func() error {
			_, err := r.c.Search(ctx, milvusclient.NewSearchOption(coll, 3,
				[]entity.Vector{entity.FloatVector(queryVec)}).
				WithANNSField("vec").WithFilter("id > 0").WithOutputFields("title", "score").
				WithSearchParam("metric_type", "COSINE").WithAnnParam(index.NewHNSWAnnParam(64)))
			return err
		},
		"HybridSearch": func() error {
			leg1 := milvusclient.NewAnnRequest("vec", 5, entity.FloatVector(queryVec)).
				WithFilter("id > 0").WithSearchParam("metric_type", "COSINE")
			leg2 := milvusclient.NewAnnRequest("vec", 5, entity.FloatVector(queryVec2)).
				WithSearchParam("metric_type", "COSINE")
			_, err := r.c.HybridSearch(ctx, milvusclient.NewHybridSearchOption(coll, 3, leg1, leg2).
				WithReranker(milvusclient.NewRRFReranker().WithK(60)).WithOutputFields("title"))
			return err
		},
		"SearchAdvanced": func() error {
			ap := index.NewHNSWAnnParam(32)
			ap.WithRadius(0.1)
			ap.WithRangeFilter(0.9)
			_, err := r.c.Search(ctx, milvusclient.NewSearchOption(coll, 2,
				[]entity.Vector{entity.FloatVector(queryVec)}).
				WithANNSField("vec").WithOffset(1).WithPartitions(partition).
				WithFilter("id > {min} and title != {t} and score > {s} and flag == {b}").
				WithTemplateParam("min", 0).WithTemplateParam("t", "x").WithTemplateParam("s", 0.25).
				WithTemplateParam("b", true).
				WithOutputFields("meta").WithConsistencyLevel(entity.ClStrong).
				WithGroupByField("title").WithGroupSize(2).WithStrictGroupSize(true).
				WithSearchParam("metric_type", "COSINE").WithAnnParam(ap))
			return err
		},
		"SearchEdge": func() error {
			_, err := r.c.Search(ctx, milvusclient.NewSearchOption(coll, 16384,
				[]entity.Vector{entity.FloatVector(queryVec)}).WithANNSField("vec").
				WithFilter(`title == "ünï \"q\"" or id in [-9223372036854775808]`).WithOutputFields("*").
				WithSearchParam("metric_type", "COSINE"))
			return err
		},
		"SearchMulti": func() error {
			_, err := r.c.Search(ctx, milvusclient.NewSearchOption(coll, 1,
				[]entity.Vector{entity.FloatVector(queryVec), entity.FloatVector(queryVec2)}).
				WithANNSField("vec").WithSearchParam("metric_type", "COSINE"))
			return err
		},
		"SearchIterator": func() error {
			it, err := r.c.SearchIterator(ctx, milvusclient.NewSearchIteratorOption(coll,
				entity.FloatVector(queryVec)).WithANNSField("vec").WithBatchSize(1).WithIteratorLimit(2).
				WithFilter("id > 0").WithOutputFields("title").WithSearchParam("metric_type", "COSINE"))
			if err != nil {
				return err
			}
			for {
				if _, err := it.Next(ctx); err == io.EOF {
					return nil
				} else if err != nil {
					return err
				}
			}
		},
		"HybridWeighted": func() error {
			leg1 := milvusclient.NewAnnRequest("vec", 4, entity.FloatVector(queryVec)).
				WithSearchParam("metric_type", "COSINE")
			leg2 := milvusclient.NewAnnRequest("vec", 4, entity.FloatVector(queryVec2)).
				WithSearchParam("metric_type", "COSINE")
			_, err := r.c.HybridSearch(ctx, milvusclient.NewHybridSearchOption(coll, 2, leg1, leg2).
				WithReranker(milvusclient.NewWeightedReranker([]float64{0.7, 0.3})).WithOffset(1))
			return err
		},
		"QueryAdvanced": func() error {
			_, err := r.c.Query(ctx, milvusclient.NewQueryOption(coll).WithFilter("title == {t}").
				WithTemplateParam("t", "alpha").WithPartitions(partition).WithOffset(1).WithLimit(2).
				WithOutputFields("id", "meta", "tags").WithConsistencyLevel(entity.ClEventually))
			return err
		},
		"Query": func() error {
			_, err := r.c.Query(ctx, milvusclient.NewQueryOption(coll).WithFilter("id > 0").
				WithOutputFields("id", "title").WithLimit(10).WithConsistencyLevel(entity.ClStrong))
			return err
		},
		"QueryTemplate": func() error {
			_, err := r.c.Query(ctx, milvusclient.NewQueryOption(coll).WithFilter("id > {min}").
				WithTemplateParam("min", 1).WithOutputFields("title").WithLimit(5))
			return err
		},
		"QueryLimitOnly": func() error {
			_, err := r.c.Query(ctx, milvusclient.NewQueryOption(coll).WithLimit(3).WithOutputFields("title"))
			return err
		},
		"QueryIterator": func() error {
			it, err := r.c.QueryIterator(ctx, milvusclient.NewQueryIteratorOption(coll).WithBatchSize(1).
				WithIteratorLimit(2).WithFilter("id > 0").WithOutputFields("title"))
			if err != nil {
				return err
			}
			for {
				if _, err := it.Next(ctx); err == io.EOF {
					return nil
				} else if err != nil {
					return err
				}
			}
		},
		"Get": func() error {
			_, err := r.c.Get(ctx, milvusclient.NewQueryOption(coll).
				WithIDs(column.NewColumnInt64("id", []int64{1, 2})).WithOutputFields("title"))
			return err
		},
		"Count": func() error {
			_, err := r.c.Query(ctx, milvusclient.NewQueryOption(coll).WithFilter("id > 0").
				WithOutputFields("count(*)"))
			return err
		},
		"CountAll": func() error {
			_, err := r.c.Query(ctx, milvusclient.NewQueryOption(coll).WithOutputFields("count(*)"))
			return err
		},
		"Compact": func() (err error) {
			r.compactionID, err = r.c.Compact(ctx, milvusclient.NewCompactOption(coll))
			return err
		},
		"GetCompactionState": func() error {
			_, err := r.c.GetCompactionState(ctx, milvusclient.NewGetCompactionStateOption(r.compactionID))
			return err
		},
		"CreateAlias": func() error {
			return r.c.CreateAlias(ctx, milvusclient.NewCreateAliasOption(coll, alias))
		},
		"DescribeAlias": func() error {
			_, err := r.c.DescribeAlias(ctx, milvusclient.NewDescribeAliasOption(alias))
			return err
		},
		"ListAliases": func() error {
			_, err := r.c.ListAliases(ctx, milvusclient.NewListAliasesOption(coll))
			return err
		},
		"ListAliasesAll": func() error {
			_, err := r.c.ListAliases(ctx, milvusclient.NewListAliasesOption(""))
			return err
		},
		"AlterAlias": func() error {
			return r.c.AlterAlias(ctx, milvusclient.NewAlterAliasOption(alias, coll))
		},
		"DropAlias": func() error {
			return r.c.DropAlias(ctx, milvusclient.NewDropAliasOption(alias))
		},
		"ReleaseCollection": func() error {
			return r.c.ReleaseCollection(ctx, milvusclient.NewReleaseCollectionOption(coll))
		},
		"DropIndex": func() error {
			return r.c.DropIndex(ctx, milvusclient.NewDropIndexOption(coll, indexName))
		},
		"DropPartition": func() error {
			return r.c.DropPartition(ctx, milvusclient.NewDropPartitionOption(coll, partition))
		},
		"RenameCollection": func() error {
			return r.c.RenameCollection(ctx, milvusclient.NewRenameCollectionOption(coll, collNew))
		},
		"DropCollection": func() error {
			return r.c.DropCollection(ctx, milvusclient.NewDropCollectionOption(collNew))
		},
		"CreateTypesCollection": func() error {
			dimParam := func(f *entity.Field, d int64) *entity.Field { return f.WithDim(d) }
			schema := entity.NewSchema().WithDescription("types").
				WithField(entity.NewField().WithName("pk").WithDataType(entity.FieldTypeVarChar).
					WithIsPrimaryKey(true).WithMaxLength(32)).
				WithField(entity.NewField().WithName("i8").WithDataType(entity.FieldTypeInt8)).
				WithField(entity.NewField().WithName("i16").WithDataType(entity.FieldTypeInt16)).
				WithField(entity.NewField().WithName("i32").WithDataType(entity.FieldTypeInt32).
					WithDefaultValueInt(5)).
				WithField(entity.NewField().WithName("f").WithDataType(entity.FieldTypeFloat).
					WithDefaultValueFloat(0.5)).
				WithField(entity.NewField().WithName("b").WithDataType(entity.FieldTypeBool).
					WithDefaultValueBool(true)).
				WithField(entity.NewField().WithName("note").WithDataType(entity.FieldTypeVarChar).
					WithMaxLength(16).WithNullable(true).WithDefaultValueString("n/a").
					WithEnableAnalyzer(true).WithEnableMatch(true)).
				WithField(entity.NewField().WithName("tenant").WithDataType(entity.FieldTypeVarChar).
					WithMaxLength(16).WithIsPartitionKey(true)).
				WithField(entity.NewField().WithName("cl").WithDataType(entity.FieldTypeInt64).
					WithIsClusteringKey(true)).
				WithField(entity.NewField().WithName("arr").WithDataType(entity.FieldTypeArray).
					WithElementType(entity.FieldTypeInt64).WithMaxCapacity(3)).
				WithField(dimParam(entity.NewField().WithName("bin").WithDataType(entity.FieldTypeBinaryVector), 16)).
				WithField(dimParam(entity.NewField().WithName("f16").WithDataType(entity.FieldTypeFloat16Vector), 4)).
				WithField(dimParam(entity.NewField().WithName("bf16").WithDataType(entity.FieldTypeBFloat16Vector), 4)).
				WithField(entity.NewField().WithName("sp").WithDataType(entity.FieldTypeSparseVector)).
				WithField(dimParam(entity.NewField().WithName("i8v").WithDataType(entity.FieldTypeInt8Vector), 4))
			return r.c.CreateCollection(ctx, milvusclient.NewCreateCollectionOption(types, schema).
				WithShardNum(1).WithNumPartitions(8))
		},
		"InsertTypes": func() error {
			sp0, _ := entity.NewSliceSparseEmbedding([]uint32{1, 7}, []float32{0.5, 0.25})
			sp1, _ := entity.NewSliceSparseEmbedding([]uint32{3}, []float32{1})
			note, err := column.NewNullableColumnVarChar("note", []string{"x"}, []bool{true, false})
			if err != nil {
				return err
			}
			_, err = r.c.Insert(ctx, milvusclient.NewColumnBasedInsertOption(types,
				column.NewColumnVarChar("pk", []string{"a", "b"}),
				column.NewColumnInt8("i8", []int8{1, -2}),
				column.NewColumnInt16("i16", []int16{300, -300}),
				column.NewColumnInt32("i32", []int32{70000, -70000}),
				column.NewColumnFloat("f", []float32{1.5, -0.25}),
				column.NewColumnBool("b", []bool{true, false}),
				note,
				column.NewColumnVarChar("tenant", []string{"t1", "t2"}),
				column.NewColumnInt64("cl", []int64{10, 20}),
				column.NewColumnInt64Array("arr", [][]int64{{1, 2}, {3}}),
				column.NewColumnBinaryVector("bin", 16, [][]byte{{0x01, 0x80}, {0xff, 0x00}}),
				column.NewColumnFloat16Vector("f16", 4, [][]byte{f16Row0, f16Row1}),
				column.NewColumnBFloat16Vector("bf16", 4, [][]byte{bf16Row0, bf16Row1}),
				column.NewColumnSparseVectors("sp", []entity.SparseEmbedding{sp0, sp1}),
				column.NewColumnInt8Vector("i8v", 4, [][]int8{{1, -1, 127, -128}, {0, 2, -3, 4}}),
			))
			return err
		},
		"SearchBinary": func() error {
			_, err := r.c.Search(ctx, milvusclient.NewSearchOption(types, 2,
				[]entity.Vector{entity.BinaryVector{0x01, 0x80}}).WithANNSField("bin").
				WithSearchParam("metric_type", "HAMMING"))
			return err
		},
		"SearchSparse": func() error {
			sp, _ := entity.NewSliceSparseEmbedding([]uint32{1, 7}, []float32{0.5, 0.25})
			_, err := r.c.Search(ctx, milvusclient.NewSearchOption(types, 2, []entity.Vector{sp}).
				WithANNSField("sp").WithSearchParam("metric_type", "IP"))
			return err
		},
		"SearchFloat16": func() error {
			_, err := r.c.Search(ctx, milvusclient.NewSearchOption(types, 2,
				[]entity.Vector{entity.Float16Vector(f16Row0)}).WithANNSField("f16").
				WithSearchParam("metric_type", "L2"))
			return err
		},
		"SearchInt8": func() error {
			_, err := r.c.Search(ctx, milvusclient.NewSearchOption(types, 2,
				[]entity.Vector{entity.Int8Vector{1, -1, 127, -128}}).WithANNSField("i8v").
				WithSearchParam("metric_type", "L2"))
			return err
		},
		"GetVarchar": func() error {
			_, err := r.c.Get(ctx, milvusclient.NewQueryOption(types).
				WithIDs(column.NewColumnVarChar("pk", []string{"a", "b"})).WithOutputFields("i8"))
			return err
		},
		"DeleteVarchar": func() error {
			_, err := r.c.Delete(ctx, milvusclient.NewDeleteOption(types).WithStringIDs("pk", []string{"a", "b"}))
			return err
		},
		"DropTypesCollection": func() error {
			return r.c.DropCollection(ctx, milvusclient.NewDropCollectionOption(types))
		},
		"CreateCollectionQuick": func() error {
			return r.c.CreateCollection(ctx, milvusclient.SimpleCreateCollectionOptions(quick, dim))
		},
		"DropCollectionQuick": func() error {
			return r.c.DropCollection(ctx, milvusclient.NewDropCollectionOption(quick))
		},
		"UseDefaultDatabase": func() error {
			return r.c.UseDatabase(ctx, milvusclient.NewUseDatabaseOption("default"))
		},
		"DropDatabase": func() error {
			return r.c.DropDatabase(ctx, milvusclient.NewDropDatabaseOption(db))
		},
	}
}

// readScript returns the operation names of script.txt (one a line; blank
// lines and # comments skipped).
func readScript(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			names = append(names, line)
		}
	}
	return names, nil
}

func main() {
	addr := flag.String("addr", "", "capture server gRPC address host:port")
	mark := flag.String("mark", "", "capture server marker address host:port")
	script := flag.String("script", "", "tests/golden/script.txt")
	flag.Parse()
	if *addr == "" || *mark == "" || *script == "" {
		fmt.Fprintln(os.Stderr, "usage: goclient -addr HOST:PORT -mark HOST:PORT -script FILE")
		os.Exit(2)
	}
	names, err := readScript(*script)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	mc, err := net.Dial("tcp", *mark)
	if err != nil {
		fmt.Fprintln(os.Stderr, "marker port:", err)
		os.Exit(2)
	}
	defer mc.Close()
	replies := bufio.NewScanner(mc)

	// No deadline: the Go client's calls then carry no grpc-timeout, like
	// libmilvus's without a call timeout (golden.sh bounds the whole run).
	ctx := context.Background()
	r := &runner{ctx: ctx, addr: *addr}
	ops := r.ops()
	failed := 0
	for _, name := range names {
		op, known := ops[name]
		if !known {
			fmt.Fprintf(os.Stderr, "goclient: unknown operation %q in %s\n", name, *script)
			os.Exit(2)
		}
		fmt.Fprintf(mc, "OP %s\n", name)
		if !replies.Scan() || replies.Text() != "OK" {
			fmt.Fprintf(os.Stderr, "goclient: marker %s not acknowledged\n", name)
			os.Exit(2)
		}
		if name != "Connect" && r.c == nil {
			fmt.Fprintf(os.Stderr, "goclient: %s: not connected\n", name)
			failed++
			continue
		}
		if err := op(); err != nil {
			fmt.Fprintf(os.Stderr, "goclient: %s failed: %v\n", name, err)
			failed++
		}
	}
	if r.c != nil {
		r.c.Close(ctx)
	}
	if failed > 0 {
		os.Exit(1)
	}
}

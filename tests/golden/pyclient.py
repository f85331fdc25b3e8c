#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""pyclient: runs tests/golden/script-snapshot.txt with pymilvus (the
official Python SDK) against the capture server (tests/golden/capture),
with the same fixed arguments as cclient.c, so that compare.js can hold
libmilvus's snapshot requests against pymilvus's (the Go client v2.6.2 has
no snapshot API).

    pyclient.py HOST PORT MARK_PORT SCRIPT

Before each operation it sends "OP <name>" to the capture server's marker
port and waits for "OK" (as goclient and cclient do); the operations run
one at a time through MilvusClient.  Exit status 1 when an operation
failed (the others still run), 2 on a usage or setup error.
"""

import socket
import sys

# The fixed arguments (the same constants are in cclient.c).
DB = "golden_db"
COLL = "golden_coll"
SNAP = "golden_snap"
SNAP_DB = "golden_snap_db"
TARGET = "golden_restored"
TARGET_DB = "golden_db_restore"


class Runner:
    def __init__(self, host, port):
        self.uri = f"http://{host}:{port}"
        self.client = None
        self.restore_job = 0
        self.pin = 0

    # ---- the operations (script-snapshot.txt names) ----

    def snapshot_connect(self):
        from pymilvus import MilvusClient

        self.client = MilvusClient(uri=self.uri, token="root:Milvus")

    def create_snapshot(self):
        self.client.create_snapshot(
            snapshot_name=SNAP,
            collection_name=COLL,
            description="golden snapshot",
            compaction_protection_seconds=3600,
        )

    def create_snapshot_db(self):
        self.client.create_snapshot(snapshot_name=SNAP_DB, collection_name=COLL, db_name=DB)

    def list_snapshots(self):
        self.client.list_snapshots(collection_name=COLL)

    def list_snapshots_all(self):
        self.client.list_snapshots()

    def list_snapshots_db(self):
        self.client.list_snapshots(collection_name=COLL, db_name=DB)

    def describe_snapshot(self):
        self.client.describe_snapshot(snapshot_name=SNAP, collection_name=COLL)

    def describe_snapshot_db(self):
        self.client.describe_snapshot(snapshot_name=SNAP_DB, collection_name=COLL, db_name=DB)

    def restore_snapshot(self):
        self.restore_job = self.client.restore_snapshot(
            snapshot_name=SNAP, source_collection_name=COLL, target_collection_name=TARGET
        )

    def restore_snapshot_cross_db(self):
        self.restore_job = self.client.restore_snapshot(
            snapshot_name=SNAP_DB,
            source_collection_name=COLL,
            target_collection_name=TARGET,
            source_db_name=DB,
            target_db_name=TARGET_DB,
        )

    def get_restore_snapshot_state(self):
        info = self.client.get_restore_snapshot_state(job_id=self.restore_job)
        if info.state != "RestoreSnapshotCompleted":
            raise RuntimeError(f"restore job {self.restore_job}: state {info.state}")

    def list_restore_snapshot_jobs(self):
        self.client.list_restore_snapshot_jobs(collection_name=TARGET)

    def list_restore_snapshot_jobs_all(self):
        self.client.list_restore_snapshot_jobs()

    def list_restore_snapshot_jobs_db(self):
        self.client.list_restore_snapshot_jobs(collection_name=TARGET, db_name=TARGET_DB)

    def pin_snapshot_data(self):
        self.pin = self.client.pin_snapshot_data(
            snapshot_name=SNAP, collection_name=COLL, ttl_seconds=600
        )

    def pin_snapshot_data_default(self):
        self.pin = self.client.pin_snapshot_data(
            snapshot_name=SNAP_DB, collection_name=COLL, db_name=DB
        )

    def unpin_snapshot_data(self):
        self.client.unpin_snapshot_data(pin_id=self.pin)

    def drop_snapshot_db(self):
        self.client.drop_snapshot(snapshot_name=SNAP_DB, collection_name=COLL, db_name=DB)

    def drop_snapshot(self):
        self.client.drop_snapshot(snapshot_name=SNAP, collection_name=COLL)

    def ops(self):
        return {
            "SnapshotConnect": self.snapshot_connect,
            "CreateSnapshot": self.create_snapshot,
            "CreateSnapshotDb": self.create_snapshot_db,
            "ListSnapshots": self.list_snapshots,
            "ListSnapshotsAll": self.list_snapshots_all,
            "ListSnapshotsDb": self.list_snapshots_db,
            "DescribeSnapshot": self.describe_snapshot,
            "DescribeSnapshotDb": self.describe_snapshot_db,
            "RestoreSnapshot": self.restore_snapshot,
            "RestoreSnapshotCrossDb": self.restore_snapshot_cross_db,
            "GetRestoreSnapshotState": self.get_restore_snapshot_state,
            "ListRestoreSnapshotJobs": self.list_restore_snapshot_jobs,
            "ListRestoreSnapshotJobsAll": self.list_restore_snapshot_jobs_all,
            "ListRestoreSnapshotJobsDb": self.list_restore_snapshot_jobs_db,
            "PinSnapshotData": self.pin_snapshot_data,
            "PinSnapshotDataDefault": self.pin_snapshot_data_default,
            "UnpinSnapshotData": self.unpin_snapshot_data,
            "DropSnapshotDb": self.drop_snapshot_db,
            "DropSnapshot": self.drop_snapshot,
        }


def read_script(path):
    """The operation names of the script: one a line, # comments skipped."""
    names = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def main(argv):
    if len(argv) != 5:
        sys.stderr.write("usage: pyclient.py HOST PORT MARK_PORT SCRIPT\n")
        return 2
    host, port, mark_port, script = argv[1], int(argv[2]), int(argv[3]), argv[4]
    try:
        names = read_script(script)
        marks = socket.create_connection((host, mark_port))
    except OSError as e:
        sys.stderr.write(f"pyclient: {e}\n")
        return 2
    replies = marks.makefile("r", encoding="utf-8")
    runner = Runner(host, port)
    ops = runner.ops()
    failed = 0
    for name in names:
        op = ops.get(name)
        if op is None:
            sys.stderr.write(f'pyclient: unknown operation "{name}" in {script}\n')
            return 2
        marks.sendall(f"OP {name}\n".encode())
        if replies.readline().rstrip("\n") != "OK":
            sys.stderr.write(f"pyclient: marker {name} not acknowledged\n")
            return 2
        if name != "SnapshotConnect" and runner.client is None:
            sys.stderr.write(f"pyclient: {name}: not connected\n")
            failed += 1
            continue
        try:
            op()
        except Exception as e:  # one failed operation must not stop the others
            sys.stderr.write(f"pyclient: {name} failed: {e}\n")
            failed += 1
    if runner.client is not None:
        runner.client.close()
    marks.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

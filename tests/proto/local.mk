# rules for tests/proto

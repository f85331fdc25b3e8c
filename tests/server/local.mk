# rules for tests/server

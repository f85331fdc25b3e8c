# rules for tests/transport

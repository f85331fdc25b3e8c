# rules for tests/fault

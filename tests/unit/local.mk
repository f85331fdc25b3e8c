# rules for tests/unit

# rules for src/sync

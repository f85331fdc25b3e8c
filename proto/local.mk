# rules for proto

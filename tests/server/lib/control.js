// SPDX-License-Identifier: Apache-2.0
'use strict';
// Fault injection and call accounting, switched at run time through the
// `milvus.test.Control` service (raw JSON request/response bytes).  The keys
// are documented in tests/server/README.

const FAULT_DEFAULTS = {
  latency_ms: 0,            // delay before every matching call is handled
  rate_limit_every: 0,      // every Nth matching call: Milvus RateLimit status
  rate_limit_next: 0,       // the next N matching calls: RateLimit status
  unavailable_every: 0,     // every Nth matching call: gRPC UNAVAILABLE
  unavailable_next: 0,      // the next N matching calls: gRPC UNAVAILABLE
  drop_connection_after: 0, // the Nth matching call from now: socket destroyed
  methods: [],              // method names the faults apply to ([] = all)
  fail_restore: '',         // restore jobs created while set end Failed
  fail_export: '',          // export jobs created while set end Failed
  max_recv_bytes: null,     // overrides --max-recv-bytes when a number
};

class Control {
  constructor(config) {
    this.config = config;
    this.reset();
  }

  reset() {
    this.faults = { ...FAULT_DEFAULTS, methods: [] };
    this.counters = { every: 0, drop: 0 };
    this.calls = {};
    this.metadata = {};
    this.injected = { rate_limit: 0, unavailable: 0, dropped: 0, too_large: 0 };
    this.totalCalls = 0;
  }

  // Merges a Set request; unknown keys are an error so that a typo in a
  // test does not silently disable the fault it meant to switch on.
  set(request) {
    if (request.reset) this.reset();
    for (const [key, value] of Object.entries(request)) {
      if (key === 'reset') continue;
      if (!(key in FAULT_DEFAULTS)) throw new Error(`unknown control key: ${key}`);
      this.faults[key] = key === 'methods' ? [...value] : value;
    }
    if ('rate_limit_every' in request || 'unavailable_every' in request) this.counters.every = 0;
    if ('drop_connection_after' in request) this.counters.drop = 0;
    return this.snapshot();
  }

  snapshot() {
    return {
      faults: this.faults,
      calls: this.calls,
      total_calls: this.totalCalls,
      metadata: this.metadata,
      injected: this.injected,
    };
  }

  maxRecvBytes() {
    const v = this.faults.max_recv_bytes;
    return typeof v === 'number' && v > 0 ? v : this.config.maxRecvBytes;
  }

  // Records a call and the metadata headers a test may want to assert on.
  record(method, metadata) {
    this.totalCalls++;
    this.calls[method] = (this.calls[method] || 0) + 1;
    const seen = {};
    for (const [key, values] of Object.entries(metadata.getMap())) {
      seen[key] = Buffer.isBuffer(values) ? values.toString('base64') : String(values);
    }
    this.metadata[method] = seen;
  }

  applies(method) {
    const m = this.faults.methods;
    return !m || m.length === 0 || m.includes(method);
  }

  // Decides the fault for one call: null, 'rate_limit', 'unavailable' or
  // 'drop'.  Counting only matching calls keeps "every Nth" predictable.
  nextFault(method) {
    if (!this.applies(method)) return null;
    const f = this.faults;
    if (f.drop_connection_after > 0) {
      this.counters.drop++;
      if (this.counters.drop >= f.drop_connection_after) {
        f.drop_connection_after = 0;
        return this.count('dropped', 'drop');
      }
    }
    if (f.unavailable_next > 0) {
      f.unavailable_next--;
      return this.count('unavailable', 'unavailable');
    }
    if (f.rate_limit_next > 0) {
      f.rate_limit_next--;
      return this.count('rate_limit', 'rate_limit');
    }
    if (f.unavailable_every > 0 || f.rate_limit_every > 0) {
      this.counters.every++;
      const n = this.counters.every;
      if (f.unavailable_every > 0 && n % f.unavailable_every === 0) return this.count('unavailable', 'unavailable');
      if (f.rate_limit_every > 0 && n % f.rate_limit_every === 0) return this.count('rate_limit', 'rate_limit');
    }
    return null;
  }

  count(counter, fault) {
    this.injected[counter]++;
    return fault;
  }

  latency(method) {
    return this.applies(method) ? this.faults.latency_ms || 0 : 0;
  }
}

module.exports = { Control, FAULT_DEFAULTS };

/* SPDX-License-Identifier: Apache-2.0 */
// grpcpp_client: the grpc C++ anchor of the benchmark suite
// (tests/bench/suite/run-suite.sh builds it at bench time with
//   g++ -O2 grpcpp_client.cc $(pkg-config --cflags --libs grpc++ protobuf)
// against Debian's libgrpc++-dev).
//
// A grpc::GenericStub sends raw ByteBuffers (no generated code); one thread
// drives one CompletionQueue; N unary calls are kept in flight.  It measures
// what mv_suite measures for libmilvus, the same way (getrusage user+sys of
// the whole process -- grpc's internal threads included -- per completed
// call, RSS from /proc/self/statm), and prints one "BENCH key=value" line.
//
//   grpcpp_client unary  --port P --inflight N --calls M [--req-size B | --req-file F]
//                        [--path /bench.Raw/Call] [--rows R]
//       (--rows R: also report CPU per GB for R rows of 768-dim floats + int64
//        ids per request, as mv_suite insert does)
//   grpcpp_client mem    --port P --inflight N --delay-ms D
//       N calls held by the server (TestService/StreamingOutputCall with one
//       response after interval_us), RSS growth per pending call.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Args {
    std::string mode, path = "/bench.Raw/Call", req_file;
    int port = 0;
    long inflight = 1, calls = 20000, warmup = -1, req_size = 100, delay_ms = 3000, rows = 0;
};

struct Call {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> rpc;
    grpc::ByteBuffer resp;
    grpc::Status status;
    long idx = 0;
};

double now_s()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double cpu_s()
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long rss_bytes()
{
    long pages = 0, resident = -1;
    FILE *f = std::fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    std::fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = uint8_t(v | 0x80);
        v >>= 7;
    }
    p[n++] = uint8_t(v);
    return n;
}

// StreamingOutputCallRequest{response_parameters: [{size, interval_us}]}
std::string streaming_request(uint32_t size, uint32_t interval_us)
{
    uint8_t inner[24], out[32];
    size_t m = 0, n = 0;
    inner[m++] = 0x08;
    m += put_varint(inner + m, size);
    inner[m++] = 0x10;
    m += put_varint(inner + m, interval_us);
    out[n++] = 0x12;
    n += put_varint(out + n, m);
    std::memcpy(out + n, inner, m);
    return std::string(reinterpret_cast<char *>(out), n + m);
}

class Bench {
  public:
    Bench(const Args &a, std::shared_ptr<grpc::Channel> ch) : a_(a), stub_(ch) {}

    void set_request(const std::string &bytes, const std::string &path)
    {
        grpc::Slice s(bytes);
        req_ = grpc::ByteBuffer(&s, 1);
        path_ = path;
    }

    // Runs count calls with inflight pending; refill on completion.
    bool run(long count, long inflight, bool refill = true)
    {
        seen_.assign(size_t(count), 0);
        t_sub_.assign(size_t(count), 0.0);
        lat_.clear();
        lat_.reserve(size_t(count));
        target_ = count;
        submitted_ = completed_ = 0;
        for (long i = 0; i < inflight && i < count; i++) submit();
        if (!refill) return true;
        return drain();
    }

    bool drain()
    {
        void *tag;
        bool ok;
        while (completed_ < submitted_ && cq_.Next(&tag, &ok)) {
            std::unique_ptr<Call> c(static_cast<Call *>(tag));
            if (!ok || !c->status.ok()) {
                std::fprintf(stderr, "call failed: %d %s\n", int(c->status.error_code()),
                             c->status.error_message().c_str());
                return false;
            }
            if (seen_[size_t(c->idx)]++ != 0) {
                std::fprintf(stderr, "call %ld completed twice\n", c->idx);
                return false;
            }
            completed_++;
            bytes_ += c->resp.Length();
            lat_.push_back(now_s() - t_sub_[size_t(c->idx)]);
            if (submitted_ < target_) submit();
        }
        return completed_ == target_;
    }

    // Polls the queue until the deadline; returns the number of
    // completions seen (each is an error here: the calls must be held).
    int poll_until(double deadline)
    {
        int events = 0;
        for (;;) {
            double left = deadline - now_s();
            if (left <= 0) return events;
            void *tag;
            bool ok;
            auto d = std::chrono::system_clock::now() +
                     std::chrono::microseconds(long(left * 1e6));
            auto st = cq_.AsyncNext(&tag, &ok, d);
            if (st == grpc::CompletionQueue::GOT_EVENT) {
                delete static_cast<Call *>(tag);
                completed_++;
                events++;
            } else if (st == grpc::CompletionQueue::SHUTDOWN) {
                return events + 1;
            }
        }
    }

    double pct(double p) const
    {
        if (lat_.empty()) return 0;
        return lat_[size_t(p * double(lat_.size() - 1) + 0.5)] * 1e6;
    }

    void sort_latencies() { std::sort(lat_.begin(), lat_.end()); }
    long completed() const { return completed_; }
    long submitted() const { return submitted_; }
    uint64_t bytes() const { return bytes_; }
    void reset_bytes() { bytes_ = 0; }

  private:
    void submit()
    {
        auto *c = new Call;
        c->idx = submitted_;
        t_sub_[size_t(c->idx)] = now_s();
        c->rpc = stub_.PrepareUnaryCall(&c->ctx, path_, req_, &cq_);
        c->rpc->StartCall();
        c->rpc->Finish(&c->resp, &c->status, c);
        submitted_++;
    }

    const Args &a_;
    grpc::GenericStub stub_;
    grpc::CompletionQueue cq_;
    grpc::ByteBuffer req_;
    std::string path_;
    std::vector<unsigned char> seen_;
    std::vector<double> t_sub_, lat_;
    long target_ = 0, submitted_ = 0, completed_ = 0;
    uint64_t bytes_ = 0;
};

void usage()
{
    std::fprintf(stderr, "usage: grpcpp_client unary|mem --port P [--inflight N] [--calls M] "
                         "[--warmup W] [--req-size B] [--req-file F] [--path P] "
                         "[--delay-ms D] [--rows R]\n");
    std::exit(2);
}

Args parse(int argc, char **argv)
{
    Args a;
    if (argc < 2) usage();
    a.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        const char *v = argv[i + 1];
        if (k == "--port") a.port = std::atoi(v);
        else if (k == "--inflight") a.inflight = std::atol(v);
        else if (k == "--calls") a.calls = std::atol(v);
        else if (k == "--warmup") a.warmup = std::atol(v);
        else if (k == "--req-size") a.req_size = std::atol(v);
        else if (k == "--req-file") a.req_file = v;
        else if (k == "--path") a.path = v;
        else if (k == "--delay-ms") a.delay_ms = std::atol(v);
        else if (k == "--rows") a.rows = std::atol(v);
        else usage();
    }
    if (a.port <= 0 || a.inflight <= 0 || a.calls <= 0 || (a.mode != "unary" && a.mode != "mem"))
        usage();
    if (a.warmup < 0) a.warmup = std::max(a.calls / 10, a.inflight);
    return a;
}

int mode_mem(const Args &a, Bench &b)
{
    b.set_request(streaming_request(16, 1000), "/grpc.testing.TestService/StreamingOutputCall");
    if (!b.run(std::min(a.inflight, 64L), 64)) return 1;
    b.set_request(streaming_request(16, uint32_t(a.delay_ms * 1000)),
                  "/grpc.testing.TestService/StreamingOutputCall");
    long rss0 = rss_bytes();
    double t0 = now_s();
    b.run(a.inflight, a.inflight, false);
    // let every request reach the server (replies are held for delay_ms):
    // keep polling the queue, which drives grpc's I/O, without taking any
    // completion
    if (b.poll_until(t0 + double(a.delay_ms) / 3000.0) != 0) {
        std::fprintf(stderr, "calls completed early: delay too short?\n");
        return 1;
    }
    long rss1 = rss_bytes();
    if (!b.drain()) return 1;
    if (now_s() - t0 < double(a.delay_ms) / 1000.0 * 0.9) {
        std::fprintf(stderr, "calls completed early: delay too short?\n");
        return 1;
    }
    std::printf("BENCH mode=mem impl=grpcpp inflight=%ld rss_bytes_per_call=%.0f "
                "req_bytes=%zu rss_base_kib=%ld wall_s=%.3f\n",
                a.inflight, double(rss1 - rss0) / double(a.inflight),
                streaming_request(16, uint32_t(a.delay_ms * 1000)).size(), rss0 / 1024,
                now_s() - t0);
    return 0;
}

int mode_unary(const Args &a, Bench &b)
{
    std::string req(size_t(a.req_size), '\0');
    if (!a.req_file.empty()) {
        std::ifstream f(a.req_file, std::ios::binary);
        if (!f) {
            std::fprintf(stderr, "cannot read %s\n", a.req_file.c_str());
            return 1;
        }
        req.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
    b.set_request(req, a.path);
    if (a.warmup && !b.run(a.warmup, a.inflight)) return 1;
    b.reset_bytes();
    double c0 = cpu_s(), t0 = now_s();
    if (!b.run(a.calls, a.inflight)) return 1;
    double c1 = cpu_s(), t1 = now_s();
    b.sort_latencies();
    double cpu = c1 - c0, wall = t1 - t0, n = double(a.calls);
    std::printf("BENCH mode=unary impl=grpcpp inflight=%ld calls=%ld cpu_us_per_call=%.3f "
                "wall_s=%.3f calls_per_s=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f lost=0 "
                "duplicated=0 req_bytes=%zu",
                a.inflight, a.calls, cpu * 1e6 / n, wall, n / wall, b.pct(0.5), b.pct(0.9),
                b.pct(0.99), req.size());
    if (a.rows > 0) {
        double gb = n * double(a.rows) * (768 * 4.0 + 8.0) / 1e9;
        std::printf(" cpu_s_per_gb=%.4f gb_per_s=%.3f", cpu / gb, gb / wall);
    }
    std::printf("\n");
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    Args a = parse(argc, argv);
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(512 << 20);
    args.SetMaxSendMessageSize(64 << 20);
    auto ch = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(a.port),
                                        grpc::InsecureChannelCredentials(), args);
    Bench b(a, ch);
    return a.mode == "mem" ? mode_mem(a, b) : mode_unary(a, b);
}

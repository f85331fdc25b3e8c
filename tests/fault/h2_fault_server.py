#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Scripted raw HTTP/2 server for the libmilvus fault tests.

It speaks just enough gRPC to misbehave on purpose.  The behaviour is chosen
per request by the last component of :path (``/fault.Test/<scenario>``) and
per connection by --mode.  It listens on 127.0.0.1, port 0 by default, and
prints the bound port on the first line of stdout.

Every response that gets as far as response headers carries
``x-fault-conn`` (1-based connection number) and ``x-fault-stream`` (stream
id) so a test can see on which connection a call was served.  The ``stats``
scenario answers with ``key=value`` lines describing what the server saw
(connections, streams per scenario, RST_STREAM codes received from the
client, PING ACKs, peak concurrency...), so tests can assert what the client
put on the wire.

Scenarios (request path /fault.Test/<name>):
  echo              response message = request message
  delay             echo after --delay-ms (used with --max-streams)
  hang              never answers
  goaway            hold requests until --goaway-streams are open on the
                    connection, then GOAWAY(last_stream_id = lowest held id)
                    and answer only that one; once per process, echo after
  goaway_double     the grpc-go graceful-stop pattern: GOAWAY(2^31-1) + PING,
                    then on the PING ACK GOAWAY(lowest held id); once per
                    process
  rst_after_header  HEADERS, then RST_STREAM(--rst-code)
  rst_during_data   HEADERS, half of the message, then RST_STREAM
  rst_after_data    HEADERS, the whole message, then RST_STREAM (no trailers)
  refused           RST_STREAM(REFUSED_STREAM) for the first --refuse-count
                    requests of the process, echo after
  trailers_only     one HEADERS frame with END_STREAM, grpc-status 5 and a
                    percent-encoded grpc-message
  no_status         HEADERS, DATA, trailers without grpc-status
  no_trailers       HEADERS, DATA with END_STREAM, no trailers at all
  http503, http404  :status 503/404, text/plain body, no grpc-status
  html              :status 200, content-type text/html, an HTML body
  kill              HEADERS, then the whole server process exits
  close             HEADERS, then the connection is aborted (TCP RST)
  ping              PING the client; answer only once the ACK has arrived
  big               a response message of --big-size bytes
  early_trailers    as soon as the request HEADERS arrive (request body not
                    read, no WINDOW_UPDATE): trailers-only RESOURCE_EXHAUSTED,
                    then RST_STREAM(NO_ERROR)
  early_trailers_norst  the same without the server's RST_STREAM
  split1            echo, every DATA frame carrying one byte
  padded            echo in 7-byte DATA frames with 9 bytes of padding
  stats             key=value lines about everything seen so far
  big_stall_rst     a response message of --big-size bytes (byte i is
                    i % 251): its first --big-part bytes, --stall-ms of
                    silence, then RST_STREAM(--rst-code)
  big_stall_goaway  the same, then GOAWAY(last_stream_id 0, INTERNAL_ERROR);
                    the connection stays open
  big_stall_ping    the same, then a PING; the rest of the message and the
                    trailers only once the PING ACK has arrived
  big_slow          the --big-size message in --piece-size DATA frames,
                    one every --piece-ms
  header_bomb       response headers with one 3000-byte field 4000 times
                    (12 MB decoded; HPACK sends the repeats as 1-byte table
                    references), then an echo

Connection modes (--mode):
  h2       HTTP/2 (h2c, or TLS with --tls)
  http1    an HTTP/1.1 server (http.server), like the Milvus REST port
  garbage  writes non-HTTP/2 bytes on accept and keeps the socket open

TLS: --tls CERT KEY, --alpn h2 (default) | none | <other protocol>.
The process exits on SIGTERM, or when stdin reaches EOF (so it never
outlives the test that started it).
"""

import argparse
import asyncio
import http.server
import os
import signal
import socket
import ssl
import struct
import sys
import threading

try:
    import h2.config
    import h2.connection
    import h2.errors
    import h2.events
    import h2.exceptions
    import h2.settings
    from hyperframe.frame import GoAwayFrame, PingFrame, WindowUpdateFrame
except ImportError as _e:
    # The first stdout line is read by the test: say why instead of a port.
    print("SKIP h2 not importable by %s (%s); make check installs it from tests/requirements.txt"
          % (sys.executable, _e), flush=True)
    sys.exit(0)

ARGS = None
STATS = {
    "conns": 0,
    "streams": 0,
    "max_concurrent": 0,
    "pings_acked": 0,
    "client_goaways": 0,
    "client_enable_push": -1,
    "protocol_errors": 0,
}
PER_PATH = {}  # scenario -> number of requests
RST_FROM_CLIENT = []  # "scenario:code"
ONCE = {"goaway": False, "goaway_double": False}
REFUSED = {"n": 0}
LOOP = None


def log(msg):
    if ARGS and ARGS.verbose:
        print("h2_fault_server: " + msg, file=sys.stderr, flush=True)


def grpc_frame(payload):
    return b"\x00" + struct.pack(">I", len(payload)) + payload


def pattern(n):
    # byte i is i % 251: a misplaced or lost chunk shows in the client's check
    unit = bytes(range(251))
    return (unit * (n // 251 + 1))[:n]


class Stream:
    def __init__(self, sid, scenario):
        self.sid = sid
        self.scenario = scenario
        self.body = bytearray()
        self.ended = False
        self.closed = False


class H2Conn(asyncio.Protocol):
    def __init__(self):
        self.transport = None
        self.h2 = None
        self.streams = {}
        self.outq = {}  # stream id -> list of pending actions
        self.conn_id = 0
        self.held = []  # stream ids held by a goaway scenario
        self.goaway_last = None  # last_stream_id of a GOAWAY we sent
        self.goaway_pending_ping = False
        self.ping_waiters = []  # stream ids waiting for a PING ACK
        self.ack_actions = []  # callables run at the next PING ACK
        self.dead = False

    # --- connection plumbing ------------------------------------------
    def connection_made(self, transport):
        STATS["conns"] += 1
        self.conn_id = STATS["conns"]
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cfg = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        self.h2 = h2.connection.H2Connection(config=cfg)
        settings = {}
        if ARGS.max_streams:
            settings[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS] = ARGS.max_streams
        if settings:
            # initial values apply at once (and go out in the first SETTINGS)
            self.h2.local_settings = h2.settings.Settings(client=False, initial_values=settings)
        self.h2.initiate_connection()
        self.flush()
        log("conn %d open" % self.conn_id)

    def connection_lost(self, exc):
        self.dead = True
        log("conn %d closed (%s)" % (self.conn_id, exc))

    def flush(self):
        if self.dead:
            return
        data = self.h2.data_to_send()
        if data:
            self.transport.write(data)

    def raw(self, frame):
        # Frames written behind h2's back: h2 has no graceful GOAWAY (its
        # state machine closes the connection on the first GOAWAY sent).
        self.flush()
        if not self.dead:
            self.transport.write(frame.serialize())

    def data_received(self, data):
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError as e:
            STATS["protocol_errors"] += 1
            log("conn %d protocol error: %r" % (self.conn_id, e))
            self.flush()
            self.transport.close()
            return
        for ev in events:
            self.dispatch(ev)
        self.pump_all()
        self.flush()

    def dispatch(self, ev):
        if isinstance(ev, h2.events.RequestReceived):
            self.on_request(ev)
        elif isinstance(ev, h2.events.DataReceived):
            st = self.streams.get(ev.stream_id)
            if st is None:
                return
            st.body += ev.data
            if st.scenario in ("early_trailers", "early_trailers_norst"):
                # keep the stream window shut (the client stays blocked
                # mid-request) but hand back the connection window, as
                # grpc-go does, so other streams can still send
                self.ack_conn_only(ev.flow_controlled_length)
            else:
                self.ack_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.StreamEnded):
            st = self.streams.get(ev.stream_id)
            if st is not None:
                st.ended = True
                self.on_request_complete(st)
        elif isinstance(ev, h2.events.StreamReset):
            st = self.streams.pop(ev.stream_id, None)
            name = st.scenario if st else "?"
            RST_FROM_CLIENT.append("%s:%d" % (name, int(ev.error_code)))
            self.outq.pop(ev.stream_id, None)
            log("conn %d stream %d reset by client code %d" %
                (self.conn_id, ev.stream_id, int(ev.error_code)))
        elif isinstance(ev, h2.events.PingAckReceived):
            STATS["pings_acked"] += 1
            self.on_ping_ack()
        elif isinstance(ev, h2.events.ConnectionTerminated):
            STATS["client_goaways"] += 1
        elif isinstance(ev, h2.events.RemoteSettingsChanged):
            push = ev.changed_settings.get(h2.settings.SettingCodes.ENABLE_PUSH)
            if push is not None:
                STATS["client_enable_push"] = push.new_value
        elif isinstance(ev, h2.events.WindowUpdated):
            pass  # pump_all() runs after every batch of events

    def ack_conn_only(self, n):
        # h2 has no public call for this; its connection window manager is
        # the one acknowledge_received_data uses
        inc = self.h2._inbound_flow_control_window_manager.process_bytes(n)
        if inc:
            self.raw(WindowUpdateFrame(0, window_increment=inc))

    def ack_data(self, n, sid):
        try:
            self.h2.acknowledge_received_data(n, sid)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            pass

    # --- sending with flow control ------------------------------------
    def queue(self, sid, *actions):
        self.outq.setdefault(sid, []).extend(actions)
        self.pump(sid)

    def pump_all(self):
        for sid in list(self.outq):
            self.pump(sid)

    def pump(self, sid):
        q = self.outq.get(sid)
        while q:
            act = q[0]
            kind = act[0]
            try:
                if kind == "headers":
                    self.h2.send_headers(sid, act[1], end_stream=act[2])
                elif kind == "data":
                    if not self.send_some(sid, act):
                        break
                    if act[1]:
                        continue
                    if act[4]:
                        self.h2.end_stream(sid)
                elif kind == "rst":
                    self.h2.reset_stream(sid, error_code=act[1])
                elif kind == "call":
                    act[1]()
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError) as e:
                log("conn %d stream %d: %r" % (self.conn_id, sid, e))
                q.clear()
                break
            q.pop(0)
        if sid in self.outq and not self.outq[sid]:
            del self.outq[sid]
        self.flush()

    def send_some(self, sid, act):
        # act = ["data", bytes, chunk_limit, pad_length, end_stream]
        while act[1]:
            window = self.h2.local_flow_control_window(sid)
            pad = act[3]
            overhead = pad + 1 if pad else 0
            room = min(window - overhead, self.h2.max_outbound_frame_size - overhead, act[2])
            if room <= 0:
                return False
            chunk = bytes(act[1][:room])
            del act[1][:room]
            if pad:
                self.h2.send_data(sid, chunk, pad_length=pad)
            else:
                self.h2.send_data(sid, chunk)
        return True

    @staticmethod
    def data(payload, chunk=1 << 30, pad=0, end=False):
        return ["data", bytearray(payload), chunk, pad, end]

    def resp_headers(self, sid, status="200", ctype="application/grpc", extra=()):
        hdrs = [(":status", status), ("content-type", ctype),
                ("x-fault-conn", str(self.conn_id)), ("x-fault-stream", str(sid))]
        hdrs.extend(extra)
        return ["headers", hdrs, False]

    @staticmethod
    def trailers(code=0, msg=None, extra=()):
        t = [("grpc-status", str(code))]
        if msg is not None:
            t.append(("grpc-message", msg))
        t.extend(extra)
        return ["headers", t, True]

    def echo(self, st, **kw):
        self.queue(st.sid, self.resp_headers(st.sid), self.data(bytes(st.body), **kw),
                   self.trailers(0))

    # --- scenarios ----------------------------------------------------
    def on_request(self, ev):
        hdrs = dict(ev.headers)
        path = hdrs.get(":path", "")
        scenario = path.rsplit("/", 1)[-1]
        st = Stream(ev.stream_id, scenario)
        self.streams[ev.stream_id] = st
        STATS["streams"] += 1
        PER_PATH[scenario] = PER_PATH.get(scenario, 0) + 1
        STATS["max_concurrent"] = max(STATS["max_concurrent"], self.h2.open_inbound_streams)
        log("conn %d stream %d %s" % (self.conn_id, ev.stream_id, path))
        sid = ev.stream_id
        if scenario == "refused" and REFUSED["n"] < ARGS.refuse_count:
            REFUSED["n"] += 1
            self.close_stream(st)
            self.queue(sid, ["rst", h2.errors.ErrorCodes.REFUSED_STREAM])
        elif scenario == "trailers_only":
            self.close_stream(st)
            self.queue(sid, ["headers", [
                (":status", "200"), ("content-type", "application/grpc"),
                ("grpc-status", "5"),
                ("grpc-message", "no such thing: caf%C3%A9 100%25")], True])
        elif scenario in ("http503", "http404"):
            self.close_stream(st)
            self.queue(sid, self.resp_headers(sid, status=scenario[4:], ctype="text/plain"),
                       self.data(b"not a grpc answer\n", end=True))
        elif scenario == "html":
            self.close_stream(st)
            self.queue(sid, self.resp_headers(sid, ctype="text/html; charset=utf-8"),
                       self.data(b"<html><body>Milvus REST</body></html>\n", end=True))
        elif scenario == "rst_after_header":
            self.close_stream(st)
            self.queue(sid, self.resp_headers(sid), ["rst", ARGS.rst_code])
        elif scenario in ("early_trailers", "early_trailers_norst"):
            self.close_stream(st)
            acts = [["headers", [
                (":status", "200"), ("content-type", "application/grpc"),
                ("grpc-status", "8"),
                ("grpc-message", "grpc: received message larger than max (%d vs. 65536)"
                 % 4194309)], True]]
            if scenario == "early_trailers":
                acts.append(["rst", h2.errors.ErrorCodes.NO_ERROR])
            self.queue(sid, *acts)
        elif scenario == "kill":
            self.queue(sid, self.resp_headers(sid))
            self.flush()
            os._exit(3)
        elif scenario == "close":
            self.queue(sid, self.resp_headers(sid))
            self.flush()
            LOOP.call_later(0.02, self.abort)
        elif scenario in ("goaway", "goaway_double") and not ONCE[scenario]:
            self.held.append(sid)
            if len(self.held) == 1:
                LOOP.call_later(ARGS.goaway_wait_ms / 1000.0, self.start_goaway, scenario)
            if len(self.held) >= ARGS.goaway_streams:
                self.start_goaway(scenario)

    def on_request_complete(self, st):
        if st.closed:
            return  # already answered from the request headers
        sc = st.scenario
        sid = st.sid
        if sc in ("echo", "refused", "goaway", "goaway_double") and sid not in self.held:
            self.echo(st)
        elif sc == "delay":
            LOOP.call_later(ARGS.delay_ms / 1000.0, self.delayed_echo, st)
        elif sc == "rst_during_data":
            msg = grpc_frame(bytes(st.body[5:]) or b"x" * 64)
            self.queue(sid, self.resp_headers(sid), self.data(msg[: len(msg) // 2]),
                       ["rst", ARGS.rst_code], ["call", lambda: self.close_stream(st)])
        elif sc == "rst_after_data":
            self.queue(sid, self.resp_headers(sid), self.data(bytes(st.body)),
                       ["rst", ARGS.rst_code], ["call", lambda: self.close_stream(st)])
        elif sc == "no_status":
            self.queue(sid, self.resp_headers(sid), self.data(bytes(st.body)),
                       ["headers", [("x-fault-note", "no status")], True])
        elif sc == "no_trailers":
            self.queue(sid, self.resp_headers(sid), self.data(bytes(st.body), end=True))
        elif sc == "big":
            self.queue(sid, self.resp_headers(sid),
                       self.data(grpc_frame(b"B" * ARGS.big_size)), self.trailers(0))
        elif sc == "split1":
            self.echo(st, chunk=1)
        elif sc == "padded":
            self.echo(st, chunk=7, pad=9)
        elif sc in ("big_stall_rst", "big_stall_goaway", "big_stall_ping"):
            msg = grpc_frame(pattern(ARGS.big_size))
            part = min(ARGS.big_part, len(msg) - 1)
            self.queue(sid, self.resp_headers(sid), self.data(msg[:part]))
            LOOP.call_later(ARGS.stall_ms / 1000.0, self.after_stall, st, msg[part:])
        elif sc == "header_bomb":
            bomb = [("x-bomb", "b" * 3000)] * 4000
            self.queue(sid, self.resp_headers(sid, extra=bomb), self.data(bytes(st.body)),
                       self.trailers(0))
        elif sc == "big_slow":
            self.queue(sid, self.resp_headers(sid))
            self.send_pieces(st, grpc_frame(pattern(ARGS.big_size)))
        elif sc == "stats":
            self.queue(sid, self.resp_headers(sid), self.data(grpc_frame(stats_text())),
                       self.trailers(0))
        elif sc == "ping":
            self.ping_waiters.append(sid)
            self.h2.ping(b"fltping1")
        elif sc in ("hang", "kill", "close") or sc in ONCE:
            pass
        else:
            self.queue(sid, self.resp_headers(sid),
                       self.trailers(12, "unknown fault scenario " + sc))
        self.close_stream(st)

    def close_stream(self, st):
        st.closed = True

    def after_stall(self, st, rest):
        # the frame that ends the silence is all the client gets: a reader
        # waiting for more bytes of the message must still see it
        if self.dead or st.sid not in self.streams:
            return
        sid = st.sid
        if st.scenario == "big_stall_rst":
            self.queue(sid, ["rst", ARGS.rst_code])
        elif st.scenario == "big_stall_goaway":
            self.raw(GoAwayFrame(0, last_stream_id=0, error_code=2,
                                 additional_data=b"stalled"))
        else:
            self.ack_actions.append(
                lambda: self.queue(sid, self.data(rest), self.trailers(0)))
            self.h2.ping(b"stallpng")
        self.flush()

    def send_pieces(self, st, rest):
        if self.dead or st.sid not in self.streams:
            return
        piece, rest = rest[:ARGS.piece_size], rest[ARGS.piece_size:]
        acts = [self.data(piece)]
        if not rest:
            acts.append(self.trailers(0))
        self.queue(st.sid, *acts)
        if rest:
            LOOP.call_later(ARGS.piece_ms / 1000.0, self.send_pieces, st, rest)

    def delayed_echo(self, st):
        if not self.dead and st.sid in self.streams:
            self.echo(st)
            self.flush()

    def abort(self):
        if self.dead:
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            # linger 0: close() sends a TCP RST instead of a FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def on_ping_ack(self):
        if self.goaway_pending_ping:
            self.goaway_pending_ping = False
            self.final_goaway()
        actions, self.ack_actions = self.ack_actions, []
        for act in actions:
            act()
        waiters, self.ping_waiters = self.ping_waiters, []
        for sid in waiters:
            st = self.streams.get(sid)
            if st is None:
                continue
            self.queue(sid, self.resp_headers(sid, extra=[("x-fault-ping-acked", "1")]),
                       self.data(bytes(st.body)), self.trailers(0))

    def start_goaway(self, scenario):
        if ONCE[scenario] or self.dead or not self.held:
            return
        ONCE[scenario] = True
        if scenario == "goaway_double":
            self.raw(GoAwayFrame(0, last_stream_id=(1 << 31) - 1, error_code=0))
            self.raw(PingFrame(0, opaque_data=b"goawaypg"))
            self.goaway_pending_ping = True
            return
        self.final_goaway()

    def final_goaway(self):
        last = min(self.held)
        self.goaway_last = last
        self.raw(GoAwayFrame(0, last_stream_id=last, error_code=0,
                             additional_data=b"fault test"))
        log("conn %d GOAWAY last_stream_id=%d held=%r" % (self.conn_id, last, self.held))
        st = self.streams.get(last)
        self.held = []
        if st is not None:
            # answer once its request is complete
            if st.ended:
                self.echo(st)
            else:
                st.scenario = "echo"
        LOOP.call_later(0.5, self.close_if_done)

    def close_if_done(self):
        if self.dead:
            return
        busy = [sid for sid in self.outq if sid <= self.goaway_last]
        if busy:
            LOOP.call_later(0.1, self.close_if_done)
            return
        self.transport.close()


def stats_text():
    lines = ["%s=%s" % kv for kv in sorted(STATS.items())]
    lines += ["path.%s=%d" % kv for kv in sorted(PER_PATH.items())]
    lines.append("rst_from_client=%s" % ",".join(RST_FROM_CLIENT))
    return ("\n".join(lines) + "\n").encode()


class Garbage(asyncio.Protocol):
    def connection_made(self, transport):
        STATS["conns"] += 1
        self.transport = transport
        transport.write(b"SSH-2.0-OpenSSH_9.2 not http/2\r\n\x00\xff\xfe\x13\x37" * 8)

    def data_received(self, data):
        pass  # keep the socket open: the client must notice by itself


class RestHandler(http.server.BaseHTTPRequestHandler):
    server_version = "fault-rest/1"
    # error replies (505 for the HTTP/2 preface) keep an HTTP/1.1 status line
    default_request_version = "HTTP/1.1"

    def do_GET(self):
        self.reply()

    def do_POST(self):
        self.reply()

    def reply(self):
        body = b'{"code":404,"message":"not found"}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.tls[0], ARGS.tls[1])
    if ARGS.alpn != "none":
        ctx.set_alpn_protocols([ARGS.alpn])
    return ctx


def watch_stdin():
    # Exit when the parent goes away (stdin EOF), so no server outlives it.
    def run():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        os._exit(0)
    threading.Thread(target=run, daemon=True).start()


def run_http1():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", ARGS.port), RestHandler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


async def main_async():
    global LOOP
    LOOP = asyncio.get_running_loop()
    LOOP.add_signal_handler(signal.SIGTERM, lambda: os._exit(0))
    factory = Garbage if ARGS.mode == "garbage" else H2Conn
    ctx = tls_context() if ARGS.tls else None
    server = await LOOP.create_server(factory, "127.0.0.1", ARGS.port, ssl=ctx)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--mode", choices=("h2", "http1", "garbage"), default="h2")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--alpn", default="h2", help="h2, none, or another protocol id")
    p.add_argument("--max-streams", type=int, default=0)
    p.add_argument("--delay-ms", type=int, default=50)
    p.add_argument("--goaway-streams", type=int, default=3)
    p.add_argument("--goaway-wait-ms", type=int, default=300)
    p.add_argument("--refuse-count", type=int, default=1)
    p.add_argument("--rst-code", type=int, default=0)
    p.add_argument("--big-size", type=int, default=1 << 20)
    p.add_argument("--big-part", type=int, default=1 << 20,
                   help="big_stall_*: bytes of the framed message sent before the stall")
    p.add_argument("--stall-ms", type=int, default=150)
    p.add_argument("--piece-size", type=int, default=16384)
    p.add_argument("--piece-ms", type=int, default=4)
    p.add_argument("--no-stdin-watch", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    ARGS = p.parse_args()
    if not ARGS.no_stdin_watch:
        watch_stdin()
    if ARGS.mode == "http1":
        run_http1()
        return
    asyncio.run(main_async())


if __name__ == "__main__":
    main()

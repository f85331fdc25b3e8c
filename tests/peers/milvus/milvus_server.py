#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Start a real Milvus server, made by the Milvus project, on loopback.

    PYTHON milvus_server.py --kind standalone|lite --dir WORKDIR
        [--tls-mode 0|1|2 --cert SERVER.pem --key SERVER.key --ca CA.pem
         [--client-cert CLIENT.pem --client-key CLIENT.key]]
        [--bin-dir DIR] [--keep-data] [--timeout SECONDS]

Two servers are supported, both from PyPI packages of the Milvus project
that must be installed in the Python running this script:

standalone  the "milvus" package: the real Go/C++ Milvus binary
            (`milvus run standalone`), shipped lzma-compressed inside the
            wheel, with etcd embedded in the same process, rocksmq as the
            message queue and local disk as object storage.  Authorization
            is always on (user root, password "Milvus"); --tls-mode 1
            (server TLS) or 2 (mutual TLS) turns on TLS on the gRPC port.
lite        the "milvus-lite" package: the Milvus project's pure-Python
            server speaking the Milvus gRPC protocol (`python -m
            milvus_lite server`).  No authorization, no TLS.

Once the server answers gRPC (CheckHealth, ShowCollections and GetVersion
over the configured TLS, with the credentials), exactly one line
"PORT <n>" goes to stdout; everything else goes to stderr.  The launcher
then stays in the foreground until SIGTERM, SIGINT or SIGHUP and stops the
server (and anything in its process group) before exiting 0.  If the
server dies, or is not ready within --timeout, the launcher prints the
tail of the server log on stderr and exits 1.  Should the launcher itself
die (even by SIGKILL), the kernel kills the server (PR_SET_PDEATHSIG).

Everything lives under WORKDIR:

    WORKDIR/bin/        extracted standalone binaries and libraries
                        (~250 MB, kept between runs; --bin-dir moves it)
    WORKDIR/configs/    milvus.yaml, etcd.yaml, glog.conf (standalone)
    WORKDIR/data/       all server state; wiped at every start unless
                        --keep-data
    WORKDIR/logs/       milvus.log or lite.log: the server's stdout+stderr
    WORKDIR/run/        the standalone pid file (MILVUS_RUN_DIR)
    WORKDIR/home/, WORKDIR/tmp/
                        HOME and TMPDIR of the server process
    WORKDIR/launcher.lock
                        locked while a launcher uses WORKDIR

The one exception: Milvus 2.3 writes /tmp/milvus/server_id_<pid> (a fixed
path in its source); the launcher removes that file after the server
exits.

Every port is picked by the launcher (standalone needs eleven: gRPC,
proxy-internal, metrics/healthz, etcd client and peer, and one per
coordinator and node).  Embedded etcd listens on 127.0.0.1; Milvus 2.3 has
no listen-address setting for its gRPC and metrics servers and binds them
on all interfaces, so the launcher checks the ports free on all
interfaces and makes every component advertise 127.0.0.1 (so no traffic
leaves loopback).  Should another process take a port before the server
binds it, the server is restarted with new ports (Milvus does not fail
then: it moves its gRPC server to a random port, which the launcher
spots in the log).

Timings on 2 shared cores: standalone ~8 s to PORT at the first start
(~6 s of it extracting), ~3 s later; lite ~2 s.  Stopping takes 0.1 to
3 s (the graceful-stop limit, reached with a loaded collection).
"""

import argparse
import base64
import contextlib
import ctypes
import fcntl
import importlib.metadata
import importlib.util
import json
import lzma
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

LOOPBACK = "127.0.0.1"

# Milvus creates this user at the first start when authorization is on.
ROOT_USER = "root"
ROOT_PASSWORD = "Milvus"

# Seconds from spawning the server to its first successful gRPC answer.
# Measured on 2 shared cores: standalone ~3-5 s on fresh data, ~45-55 s
# with --keep-data (Milvus waits for the previous run's etcd sessions to
# expire, TTL 30 s); lite ~3 s (importing pyarrow, faiss, pymilvus).
DEFAULT_TIMEOUT = {"standalone": 120.0, "lite": 60.0}

# Seconds a stopping server gets before SIGKILL.  Standalone is told to
# finish its graceful stop within STANDALONE_GRACEFUL_STOP seconds (the
# Milvus default is 30 minutes): it takes well under a second, but with a
# loaded collection its query node waits that long to hand its segments
# to another query node, which a standalone server does not have.
STOP_GRACE = 10.0
STANDALONE_GRACEFUL_STOP = 3

# Start attempts when another process takes one of our ports between
# picking it and the server binding it.
START_ATTEMPTS = 3

LOG_TAIL_LINES = 40
PROBE_RPC_TIMEOUT = 5.0
PROBE_INTERVAL = 0.25

# Milvus 2.3 components that open a gRPC port, as named in milvus.yaml.
STANDALONE_COMPONENTS = (
    "rootCoord", "proxy", "queryCoord", "queryNode",
    "indexNode", "dataCoord", "dataNode",
)

PR_SET_PDEATHSIG = 1


class LaunchError(Exception):
    """The server could not be prepared, started or made ready."""


class PortConflict(LaunchError):
    """Another process took one of the server's ports before it bound it."""


class Interrupted(Exception):
    """A stop signal arrived before the server was ready."""


def log(message):
    print(f"milvus_server: {message}", file=sys.stderr, flush=True)


# ---- signals -----------------------------------------------------------------

class StopFlag:
    """Records SIGTERM/SIGINT/SIGHUP; all waiting loops poll it.

    The handlers only set a flag, so a signal can never interrupt the
    launcher between forking a server and recording its pid.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self):
        self.signum = None

    def install(self):
        # Installing Python handlers also matters for the children: a
        # disposition of SIG_IGN (as bash gives background jobs for SIGINT)
        # would be inherited through exec, handlers are reset to SIG_DFL.
        for sig in self.SIGNALS:
            signal.signal(sig, self._handler)

    def _handler(self, signum, _frame):
        self.signum = signum

    @property
    def requested(self):
        return self.signum is not None

    def check(self):
        if self.requested:
            raise Interrupted()


# ---- ports -------------------------------------------------------------------

def reserve_ports(count):
    """Returns COUNT distinct TCP ports that are free right now.

    All sockets stay bound until every port is picked, so the ports
    differ.  They are bound on the wildcard address (dual-stack where
    possible) because Milvus binds its gRPC servers on all interfaces: a
    port free only on 127.0.0.1 could still clash.  Nothing ever listens
    on these sockets.
    """
    sockets = []
    try:
        for _ in range(count):
            try:
                sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                sock.bind(("::", 0))
            except OSError:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.bind(("", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


# ---- child processes ---------------------------------------------------------

def _pdeathsig_preexec():
    """Returns a preexec_fn making the child die with the launcher.

    PR_SET_PDEATHSIG fires when the thread that forked the child exits;
    servers are only spawned from the main thread, whose end is the end
    of the launcher.  If the launcher died before prctl took effect, the
    child is already orphaned and kills itself.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    parent = os.getpid()
    sigkill = int(signal.SIGKILL)

    def preexec():
        if prctl(PR_SET_PDEATHSIG, sigkill, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:
            os.kill(os.getpid(), sigkill)

    return preexec


class Child:
    """A server process in a session (and process group) of its own.

    The own group keeps terminal signals away from the server (the
    launcher decides how to stop it) and lets the launcher kill anything
    the server might fork.
    """

    def __init__(self, argv, env, cwd, log_path):
        try:
            with open(log_path, "ab") as logf:
                self.proc = subprocess.Popen(
                    argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                    stdout=logf, stderr=subprocess.STDOUT,
                    start_new_session=True, preexec_fn=_pdeathsig_preexec())
        except (OSError, subprocess.SubprocessError) as e:
            raise LaunchError(f"cannot run {argv[0]}: {e}") from e
        self.pid = self.proc.pid
        self.exit_status = None

    def exited(self):
        """True once the process has exited, without reaping it.

        The zombie keeps the pid (and so the process group id) reserved
        until stop() has swept the group.
        """
        if self.exit_status is not None:
            return True
        info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        return info is not None

    def describe_exit(self):
        if self.exit_status is not None:
            status = self.exit_status
            if status < 0:
                return f"killed by {signal.Signals(-status).name}"
            return f"exit status {status}"
        info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if info is None:
            return "still running"
        if info.si_code == os.CLD_EXITED:
            return f"exit status {info.si_status}"
        return f"killed by {signal.Signals(info.si_status).name}"

    def _signal_group(self, sig):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def stop(self, first_signal, grace):
        """Sends FIRST_SIGNAL to the group, SIGKILL after GRACE seconds,
        sweeps the group and reaps the server.  Returns the seconds it
        took."""
        if self.exit_status is not None:
            return 0.0
        start = time.monotonic()
        if not self.exited():
            self._signal_group(first_signal)
            while not self.exited() and time.monotonic() - start < grace:
                time.sleep(0.05)
            if not self.exited():
                log(f"server pid {self.pid} ignored {first_signal.name} for "
                    f"{grace:.0f} s, sending SIGKILL")
        # Anything left in the group (the server itself or a straggler it
        # forked) dies now, while the unreaped leader still holds the id.
        self._signal_group(signal.SIGKILL)
        self.exit_status = self.proc.wait()
        return time.monotonic() - start


def tail_file(path, lines=LOG_TAIL_LINES):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 256 * 1024))
            data = f.read().decode("utf-8", "replace")
    except OSError as e:
        return [f"(cannot read {path}: {e.strerror})"]
    return data.splitlines()[-lines:]


class LogReader:
    """Hands out what was appended to a log since the last call."""

    def __init__(self, path, offset=0):
        self.path = path
        self.offset = offset
        self.partial = b""

    def read_new(self):
        """Returns the complete lines appended since the last call."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return ""
        self.offset += len(data)
        # Keep an unfinished last line for the next call.
        complete, _, self.partial = (self.partial + data).rpartition(b"\n")
        return complete.decode("utf-8", "replace")


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def base_env(workdir_home, workdir_tmp):
    """A clean environment for a server process.

    Milvus maps environment variables onto its configuration, and gRPC
    honours proxy variables, so nothing is inherited but PATH; each server
    adds what it needs.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": workdir_home,
        "TMPDIR": workdir_tmp,
        "LANG": "C.UTF-8",
    }
    return env


# ---- readiness probe -----------------------------------------------------------

MILVUS_SERVICE = "/milvus.proto.milvus.MilvusService/"


def decode_proto(data):
    """Decodes one serialized protobuf message into {field number: [values]}.

    Varints become ints, everything else bytes.  The probe reads three
    small responses; decoding them by hand keeps pymilvus (and its
    pandas/numpy, ~130 MB of RSS in a process that lives as long as the
    server) out of the launcher.
    """
    fields, pos = {}, 0

    def varint():
        nonlocal pos
        result = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7

    try:
        while pos < len(data):
            key = varint()
            number, wire_type = key >> 3, key & 7
            if wire_type == 0:
                value = varint()
            elif wire_type in (1, 2, 5):
                size = {1: 8, 5: 4}.get(wire_type) or varint()
                value = data[pos:pos + size]
                if len(value) != size:
                    raise IndexError
                pos += size
            else:
                raise ValueError(f"unsupported protobuf wire type {wire_type}")
            fields.setdefault(number, []).append(value)
    except IndexError:
        raise ValueError("truncated protobuf message") from None
    return fields


def _last(fields, number, default):
    return fields.get(number, [default])[-1]


class Probe:
    """A raw gRPC client asking the server whether it really serves.

    Calls MilvusService CheckHealth, ShowCollections and GetVersion with
    empty requests (an empty message serializes to no bytes) and reads
    the responses with decode_proto.  Field numbers, from Milvus's
    milvus.proto/common.proto:
        Status              1 error_code (legacy enum), 2 reason, 3 code
        CheckHealthResponse 1 status, 2 isHealthy, 3 reasons
        GetVersionResponse  1 status, 2 version
        *Response           1 status
    """

    def __init__(self, port, tls=None, credentials=None):
        import grpc  # imported late: only once a server has been spawned

        self._grpc = grpc
        target = f"{LOOPBACK}:{port}"
        options = [
            ("grpc.enable_http_proxy", 0),
            # Keep retrying the connection quickly while the server starts.
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.min_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", 500),
        ]
        if tls is None:
            self._channel = grpc.insecure_channel(target, options=options)
        else:
            creds = grpc.ssl_channel_credentials(
                root_certificates=_read_bytes(tls["root"]),
                private_key=_read_bytes(tls["key"]) if tls.get("key") else None,
                certificate_chain=_read_bytes(tls["cert"]) if tls.get("cert") else None)
            self._channel = grpc.secure_channel(target, creds, options=options)
        self._metadata = ()
        if credentials:
            # What Milvus SDKs send: base64("user:password").
            token = base64.b64encode(credentials.encode()).decode()
            self._metadata = (("authorization", token),)
        self.version = None

    def close(self):
        self._channel.close()

    def _call(self, method):
        """Calls METHOD with an empty request; returns (response fields,
        None) or (None, why it failed)."""
        call = self._channel.unary_unary(MILVUS_SERVICE + method)
        reply = call(b"", timeout=PROBE_RPC_TIMEOUT, metadata=self._metadata)
        fields = decode_proto(reply)
        status = decode_proto(_last(fields, 1, b""))
        code, legacy = _last(status, 3, 0), _last(status, 1, 0)
        if code or legacy:
            reason = _last(status, 2, b"").decode("utf-8", "replace")
            return None, f"{method}: status {code or legacy}: {reason}"
        return fields, None

    def check(self):
        """Returns None when the server is ready, else why not."""
        try:
            health, why = self._call("CheckHealth")
            if why:
                return why
            if not _last(health, 2, 0):
                reasons = b"; ".join(health.get(3, [])).decode("utf-8", "replace")
                return f"CheckHealth: not healthy: {reasons}"
            _, why = self._call("ShowCollections")
            if why:
                return why
            version, why = self._call("GetVersion")
            if why:
                return why
        except self._grpc.RpcError as e:
            return f"{e.code().name}: {e.details()}"
        except ValueError as e:
            return f"unexpected answer: {e}"
        self.version = _last(version, 2, b"").decode("utf-8", "replace")
        return None


def _read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def require_module(module, distribution):
    """Returns the import spec of MODULE, or fails naming the PyPI
    DISTRIBUTION that provides it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise LaunchError(f"Python module {module!r} (PyPI {distribution}) is not "
                          f"installed for {sys.executable}")
    return spec


# ---- servers -------------------------------------------------------------------

class Server:
    """What both kinds share: the working directory, start attempts,
    waiting for readiness and stopping."""

    kind = None
    log_name = None
    stop_signal = signal.SIGTERM

    def __init__(self, args):
        self.args = args
        self.workdir = os.path.abspath(args.dir)
        self.dirs = {name: os.path.join(self.workdir, name)
                     for name in ("configs", "data", "logs", "run", "home", "tmp")}
        self.log_path = os.path.join(self.dirs["logs"], self.log_name)
        self.child = None
        self.port = None
        self.version = None

    # -- steps overridden per kind
    def prepare(self, stop):
        raise NotImplementedError

    def spawn(self):
        """Picks ports, writes configuration, starts self.child and sets
        self.port."""
        raise NotImplementedError

    def probe(self):
        raise NotImplementedError

    def is_port_conflict(self, log_lines):
        return any("address already in use" in line.lower() for line in log_lines)

    def startup_problem(self, new_log_text):
        """Inspects log output of a starting server; returns a reason to
        restart it with other ports, or None."""
        return None

    # -- shared
    def make_dirs(self):
        os.makedirs(self.workdir, exist_ok=True)
        # Held for the launcher's lifetime (and not inherited by the
        # server): two launchers on one WORKDIR would wreck each other.
        self._workdir_lock = open(os.path.join(self.workdir, "launcher.lock"), "w")
        try:
            fcntl.flock(self._workdir_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LaunchError(f"{self.workdir} is in use by another launcher") from None
        self.reset_state()
        # One log per launch; start attempts append to it.
        open(self.log_path, "w").close()

    def reset_state(self):
        """Wipes the server state (unless --keep-data) and makes sure every
        directory exists."""
        if not self.args.keep_data:
            for name in ("data", "run", "tmp"):
                shutil.rmtree(self.dirs[name], ignore_errors=True)
        for path in self.dirs.values():
            os.makedirs(path, exist_ok=True)

    def start(self, stop, deadline):
        for attempt in range(1, START_ATTEMPTS + 1):
            with open(self.log_path, "a") as f:
                f.write(f"=== milvus_server.py: start attempt {attempt} "
                        f"at {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n")
                attempt_log = f.tell()
            self.spawn()
            log(f"{self.kind}: started pid {self.child.pid}, gRPC port {self.port}, "
                f"log {self.log_path}")
            try:
                self.wait_ready(stop, deadline, attempt_log)
                return
            except PortConflict as e:
                self.stop_child()
                if attempt == START_ATTEMPTS:
                    raise
                log(f"{self.kind}: {e}; retrying with other ports")
                # A failed standalone attempt leaves etcd sessions behind
                # that would hold the next one up for their 30 s TTL.
                self.reset_state()

    def wait_ready(self, stop, deadline, log_offset):
        """Probes until the server answers; LOG_OFFSET is where this
        attempt's part of the log starts."""
        probe = self.probe()
        log_reader = LogReader(self.log_path, log_offset)
        try:
            why = "no answer yet"
            while True:
                stop.check()
                problem = self.startup_problem(log_reader.read_new())
                if problem:
                    raise PortConflict(problem)
                if self.child.exited():
                    lines = tail_file(self.log_path)
                    message = (f"server exited before it was ready "
                               f"({self.child.describe_exit()})")
                    if self.is_port_conflict(lines):
                        raise PortConflict(message + ": a port was taken")
                    raise LaunchError(message)
                why = probe.check()
                if why is None:
                    self.version = probe.version
                    return
                if time.monotonic() > deadline:
                    raise LaunchError(f"server not ready within {self.args.timeout:.0f} s "
                                      f"(last probe: {why})")
                time.sleep(PROBE_INTERVAL)
        finally:
            probe.close()

    def serve(self, stop):
        """Waits for a stop signal (returns 0) or the server's death
        (returns 1)."""
        while not stop.requested:
            if self.child.exited():
                log(f"{self.kind}: server died ({self.child.describe_exit()}); "
                    f"last lines of {self.log_path}:")
                for line in tail_file(self.log_path):
                    print(f"    {line}", file=sys.stderr)
                return 1
            time.sleep(0.2)
        log(f"{self.kind}: {signal.Signals(stop.signum).name} received, stopping the server")
        return 0

    def stop_child(self):
        if self.child is None:
            return
        child, self.child = self.child, None
        took = child.stop(self.stop_signal, STOP_GRACE)
        log(f"{self.kind}: server pid {child.pid} stopped in {took:.1f} s "
            f"({child.describe_exit()})")
        self.after_exit(child.pid)

    def after_exit(self, pid):
        """Clean-up once the server process PID is gone."""


# ---- standalone ------------------------------------------------------------------

def yaml_scalar(value):
    """VALUE as a YAML scalar; strings are double-quoted (JSON quoting is
    valid YAML), so paths with any character survive."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


# {{ name }}, {{ name: default }}, {{ name(type) }}, {{ name(type): default }}
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*(?:\(\s*\w+\s*\))?\s*(?::[^}]*)?\}\}")
_YAML_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z0-9_.-]+):(?P<rest>.*)$")


def fill_placeholders(text, values):
    """Replaces every {{ ... }} of the milvus package's template with
    yaml_scalar(VALUES[name]).  A placeholder we do not know (a newer
    template) is an error rather than a silently wrong configuration."""
    unknown = set()

    def replace(match):
        name = match.group(1)
        if name not in values:
            unknown.add(name)
            return match.group(0)
        return yaml_scalar(values[name])

    text = _PLACEHOLDER.sub(replace, text)
    if unknown:
        raise LaunchError("unknown placeholders in the milvus config template: "
                          + ", ".join(sorted(unknown)))
    return text


def _yaml_index(lines):
    """Maps the dotted path of every block-mapping key to its line number
    (enough for milvus.yaml: two-space indentation, no anchors, no
    multi-line scalars)."""
    index, stack = {}, []
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _YAML_KEY.match(line)
        if not match:
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match["key"]))
        index[".".join(key for _, key in stack)] = number
    return index


def set_yaml_values(text, settings):
    """Sets each dotted key of SETTINGS to a scalar, adding the key (and
    missing parents) when the text lacks it."""
    lines = text.splitlines()
    for path, value in settings.items():
        index = _yaml_index(lines)
        if any(other.startswith(path + ".") for other in index):
            raise LaunchError(f"milvus.yaml: {path} is a mapping, not a scalar")
        if path in index:
            number = index[path]
            match = _YAML_KEY.match(lines[number])
            lines[number] = f"{match['indent']}{match['key']}: {yaml_scalar(value)}"
            continue
        parts = path.split(".")
        depth = len(parts) - 1
        while depth and ".".join(parts[:depth]) not in index:
            depth -= 1
        if depth:
            at = index[".".join(parts[:depth])]
            indent = len(_YAML_KEY.match(lines[at])["indent"]) + 2
            at += 1
        else:
            at, indent = len(lines), 0
        new = [f"{' ' * (indent + 2 * i)}{key}:" for i, key in enumerate(parts[depth:])]
        new[-1] += f" {yaml_scalar(value)}"
        lines[at:at] = new
    return "\n".join(lines) + "\n"


def write_file(path, text):
    """Writes atomically, so a server never reads half a file."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def extract_binaries(packed_dir, bin_dir, stop):
    """Decompresses the milvus package's data/bin/*.lzma into BIN_DIR.

    Skipped when BIN_DIR already holds this package's files (a stamp of
    the packed files' names, sizes and times).  A lock makes launchers
    sharing a --bin-dir extract once.  Files are replaced by rename, so a
    server already running from BIN_DIR keeps its old copies.  Returns
    True if something was extracted.
    """
    os.makedirs(bin_dir, exist_ok=True)
    packed = sorted(name for name in os.listdir(packed_dir) if name.endswith(".lzma"))
    if "milvus.lzma" not in packed:
        raise LaunchError(f"no milvus.lzma in {packed_dir}")
    fingerprint = {}
    for name in packed:
        st = os.stat(os.path.join(packed_dir, name))
        fingerprint[name] = [st.st_size, st.st_mtime_ns]
    stamp_path = os.path.join(bin_dir, ".extracted.json")
    with open(os.path.join(bin_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(stamp_path) as f:
                up_to_date = json.load(f) == fingerprint
        except (OSError, ValueError):
            up_to_date = False
        if up_to_date and all(os.path.exists(os.path.join(bin_dir, name[:-5]))
                              for name in packed):
            return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(stamp_path)
        for name in packed:
            target = os.path.join(bin_dir, name[:-5])
            tmp = f"{target}.tmp{os.getpid()}"
            try:
                with lzma.open(os.path.join(packed_dir, name)) as src, open(tmp, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        stop.check()
                        dst.write(chunk)
                os.chmod(tmp, 0o755)
                os.replace(tmp, target)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        write_file(stamp_path, json.dumps(fingerprint))
    return True


class StandaloneServer(Server):
    """The real Milvus 2.3 binary of the PyPI "milvus" package."""

    kind = "standalone"
    log_name = "milvus.log"
    # A graceful stop.  Milvus 2.3.5 ends it, after logging "All cleanup
    # done", with a panic in CloseEtcdClient ("context canceled"), so the
    # process dies by SIGABRT; its data is already safe by then.
    stop_signal = signal.SIGTERM

    # Where Milvus 2.3 records its role ids, whatever TMPDIR says.
    SERVER_ID_FILE = "/tmp/milvus/server_id_{pid}"

    def prepare(self, stop):
        require_module("grpc", "grpcio")              # the readiness probe
        spec = require_module("milvus", "milvus")
        package_dir = os.path.dirname(spec.origin)
        self.package_version = importlib.metadata.version("milvus")
        self.packed_dir = os.path.join(package_dir, "data", "bin")
        self.template = os.path.join(package_dir, "data", "config.yaml.template")
        for path in (self.packed_dir, self.template):
            if not os.path.exists(path):
                raise LaunchError(f"milvus {self.package_version}: {path} is missing")
        self.bin_dir = os.path.abspath(self.args.bin_dir or os.path.join(self.workdir, "bin"))
        self.make_dirs()
        started = time.monotonic()
        if extract_binaries(self.packed_dir, self.bin_dir, stop):
            log(f"standalone: extracted milvus {self.package_version} binaries into "
                f"{self.bin_dir} in {time.monotonic() - started:.1f} s")

    def write_configs(self, ports):
        configs, data, logs = self.dirs["configs"], self.dirs["data"], self.dirs["logs"]
        args = self.args

        # Embedded etcd listens wherever etcd.config.path says, on
        # localhost:2379/2380 without it; Milvus itself talks to it in
        # process.
        etcd_name = "milvus-standalone"
        client_url = f"http://{LOOPBACK}:{ports['etcd_client']}"
        peer_url = f"http://{LOOPBACK}:{ports['etcd_peer']}"
        etcd = {
            "name": etcd_name,
            "listen-client-urls": client_url,
            "advertise-client-urls": client_url,
            "listen-peer-urls": peer_url,
            "initial-advertise-peer-urls": peer_url,
            "initial-cluster": f"{etcd_name}={peer_url}",
            "initial-cluster-state": "new",
        }
        write_file(os.path.join(configs, "etcd.yaml"),
                   "".join(f"{key}: {yaml_scalar(value)}\n" for key, value in etcd.items()))

        # The C++ core refuses to start without glog.conf beside
        # milvus.yaml.  Its log goes to stderr, i.e. into milvus.log.
        write_file(os.path.join(configs, "glog.conf"),
                   "--logtostderr=true\n--minloglevel=0\n")

        with open(self.template) as f:
            text = f.read()
        text = fill_placeholders(text, {
            "etcd_port": ports["etcd_client"],
            "etcd_log_level": "warn",
            "etcd_log_path": "stdout",
            "etcd_data_dir": os.path.join(data, "etcd"),
            "local_storage_dir": os.path.join(data, "storage"),
            "rocksmq_data_dir": os.path.join(data, "rocksmq"),
            "root_coord_port": ports["rootCoord"],
            "proxy_port": ports["proxy"],
            "proxy_internal_port": ports["proxy_internal"],
            "query_coord_port": ports["queryCoord"],
            "query_node_port": ports["queryNode"],
            "index_coord_port": ports["indexNode"],
            "index_node_port": ports["indexNode"],
            "data_coord_port": ports["dataCoord"],
            "data_node_port": ports["dataNode"],
            # No log files: Milvus logs to stdout, which is milvus.log.
            "system_log_path": "",
            "authorization_enabled": True,
            "tls_mode": args.tls_mode,
            "server_pem_path": args.cert or "",
            "server_key_path": args.key or "",
            "ca_pem_path": args.ca or "",
        })
        settings = {
            "etcd.endpoints": f"{LOOPBACK}:{ports['etcd_client']}",
            "etcd.config.path": os.path.join(configs, "etcd.yaml"),
            "indexCoord.bindIndexNodeMode.address": f"{LOOPBACK}:{ports['indexNode']}",
            "log.stdout": True,
            "common.gracefulStopTimeout": STANDALONE_GRACEFUL_STOP,
            # Unused with rocksmq; keeps a switch to natsmq inside WORKDIR.
            "natsmq.server.storeDir": os.path.join(data, "natsmq"),
            "natsmq.server.monitor.logFile": os.path.join(logs, "nats.log"),
        }
        for component in STANDALONE_COMPONENTS:
            # The address each component registers in etcd for the others.
            settings[f"{component}.ip"] = LOOPBACK
        # --set KEY=VALUE: Milvus parses every setting from its text, so
        # the value goes in as a string.
        for item in args.set or ():
            key, value = item.split("=", 1)
            settings[key] = value
        write_file(os.path.join(configs, "milvus.yaml"), set_yaml_values(text, settings))

    def spawn(self):
        names = ("proxy", "proxy_internal", "metrics", "etcd_client", "etcd_peer",
                 *(c for c in STANDALONE_COMPONENTS if c != "proxy"))
        ports = dict(zip(names, reserve_ports(len(names))))
        self.write_configs(ports)
        env = base_env(self.dirs["home"], self.dirs["tmp"])
        env.update({
            # The binary has no RUNPATH; its libraries sit beside it.
            "LD_LIBRARY_PATH": self.bin_dir,
            "DEPLOY_MODE": "STANDALONE",
            "METRICS_PORT": str(ports["metrics"]),   # /metrics, /healthz
            "MILVUSCONF": self.dirs["configs"],       # milvus.yaml, glog.conf
            "MILVUS_RUN_DIR": self.dirs["run"],       # else /run/milvus
        })
        self.port = ports["proxy"]
        self.child = Child([os.path.join(self.bin_dir, "milvus"), "run", "standalone"],
                           env, self.workdir, self.log_path)
        log("standalone: ports " + ", ".join(f"{k}={v}" for k, v in ports.items()))

    # Milvus 2.3 does not fail when its gRPC port is taken: it logs this
    # and silently listens on some other free port instead.
    PROXY_LISTEN = re.compile(r'\["Proxy server listen on tcp"\] \[port=(\d+)\]')

    def startup_problem(self, new_log_text):
        for match in self.PROXY_LISTEN.finditer(new_log_text):
            if int(match.group(1)) != self.port:
                return (f"port {self.port} was taken, Milvus listens on "
                        f"{match.group(1)} instead")
        return None

    def probe(self):
        tls = None
        args = self.args
        if args.tls_mode == 1:
            tls = {"root": args.ca or args.cert}
        elif args.tls_mode == 2:
            tls = {"root": args.ca, "cert": args.client_cert, "key": args.client_key}
        return Probe(self.port, tls, f"{ROOT_USER}:{ROOT_PASSWORD}")

    def after_exit(self, pid):
        with contextlib.suppress(OSError):
            os.unlink(self.SERVER_ID_FILE.format(pid=pid))


# ---- lite --------------------------------------------------------------------------

class LiteServer(Server):
    """milvus-lite's own gRPC server (`python -m milvus_lite server`)."""

    kind = "lite"
    log_name = "lite.log"
    # milvus-lite shuts down cleanly (drains requests, closes its WAL and
    # data-dir lock) on KeyboardInterrupt only; SIGTERM would just kill it.
    stop_signal = signal.SIGINT

    PASS_ENV_PREFIXES = ("MILVUS_LITE_",)        # memtable/WAL size limits
    PASS_ENV = ("PYTHONPATH", "OMP_NUM_THREADS")

    def prepare(self, stop):
        require_module("grpc", "grpcio")
        require_module("milvus_lite", "milvus-lite")
        require_module("pymilvus", "pymilvus")        # its generated stubs
        self.package_version = importlib.metadata.version("milvus-lite")
        self.make_dirs()

    def spawn(self):
        (self.port,) = reserve_ports(1)
        env = base_env(self.dirs["home"], self.dirs["tmp"])
        env.update({
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",   # nothing into site-packages
            "PYTHONNOUSERSITE": "1",          # nothing from ~/.local
        })
        for name, value in os.environ.items():
            if name in self.PASS_ENV or name.startswith(self.PASS_ENV_PREFIXES):
                env[name] = value
        argv = [sys.executable, "-m", "milvus_lite", "server",
                "--data-dir", self.dirs["data"], "--host", LOOPBACK, "--port", str(self.port)]
        self.child = Child(argv, env, self.workdir, self.log_path)

    def is_port_conflict(self, log_lines):
        return (super().is_port_conflict(log_lines)
                or any("failed to bind" in line.lower() for line in log_lines))

    def probe(self):
        # milvus-lite has no authorization: it ignores the metadata, so
        # the probe sends none.
        return Probe(self.port)


SERVERS = {"standalone": StandaloneServer, "lite": LiteServer}


# ---- command line ---------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Start a Milvus server on 127.0.0.1 for the test suite; prints "
                    "'PORT <n>' once it answers gRPC and runs until SIGTERM/SIGINT.")
    parser.add_argument("--kind", choices=sorted(SERVERS), required=True,
                        help="standalone: the real Milvus binary (PyPI milvus); "
                             "lite: milvus-lite's Milvus-protocol server")
    parser.add_argument("--dir", required=True, metavar="WORKDIR",
                        help="directory for binaries, configuration, data and logs")
    parser.add_argument("--tls-mode", type=int, choices=(0, 1, 2), default=0,
                        help="standalone: 0 plaintext, 1 server TLS, 2 mutual TLS")
    parser.add_argument("--cert", metavar="SERVER.pem", help="server certificate (TLS)")
    parser.add_argument("--key", metavar="SERVER.key", help="server private key (TLS)")
    parser.add_argument("--ca", metavar="CA.pem",
                        help="CA of the client certificates (mode 2); also what the "
                             "readiness probe trusts (mode 1 falls back to --cert)")
    parser.add_argument("--client-cert", metavar="CLIENT.pem",
                        help="client certificate for the readiness probe in mode 2 "
                             "(default: client.pem beside --ca, as certs.sh makes it)")
    parser.add_argument("--client-key", metavar="CLIENT.key",
                        help="its key (default: client.key beside --ca)")
    parser.add_argument("--bin-dir", metavar="DIR",
                        help="standalone: where to extract the binaries (default "
                             "WORKDIR/bin); share one to extract only once")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="standalone: set a milvus.yaml key (dotted path), e.g. "
                             "quotaAndLimits.dml.enabled=true; repeatable")
    parser.add_argument("--keep-data", action="store_true",
                        help="reuse WORKDIR/data from the last run instead of wiping it "
                             "(standalone then takes ~50 s to start)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="readiness time limit (default: standalone "
                             f"{DEFAULT_TIMEOUT['standalone']:.0f}, "
                             f"lite {DEFAULT_TIMEOUT['lite']:.0f})")
    args = parser.parse_args(argv)

    if args.timeout is None:
        args.timeout = DEFAULT_TIMEOUT[args.kind]
    for item in args.set or ():
        if "=" not in item or not item.split("=", 1)[0]:
            parser.error(f"--set {item}: expected KEY=VALUE")
    if args.kind == "lite":
        if args.set:
            parser.error("--set is for standalone (milvus.yaml)")
        if args.tls_mode:
            parser.error("milvus-lite has no TLS (it only opens an insecure port)")
        return args
    if args.tls_mode:
        if not (args.cert and args.key):
            parser.error(f"--tls-mode {args.tls_mode} needs --cert and --key")
        if args.tls_mode == 2:
            if not args.ca:
                parser.error("--tls-mode 2 needs --ca")
            ca_dir = os.path.dirname(os.path.abspath(args.ca))
            args.client_cert = args.client_cert or os.path.join(ca_dir, "client.pem")
            args.client_key = args.client_key or os.path.join(ca_dir, "client.key")
    for name in ("cert", "key", "ca", "client_cert", "client_key"):
        path = getattr(args, name)
        if path is None:
            continue
        if not os.access(path, os.R_OK):
            parser.error(f"--{name.replace('_', '-')} {path}: not a readable file")
        setattr(args, name, os.path.abspath(path))
    return args


def main(argv=None):
    args = parse_args(argv)
    stop = StopFlag()
    stop.install()
    server = SERVERS[args.kind](args)
    starting = False
    try:
        began = time.monotonic()
        server.prepare(stop)
        prepared = time.monotonic()
        starting = True
        server.start(stop, prepared + args.timeout)
        ready = time.monotonic()
        rss = rss_mib(server.child.pid)
        log(f"{args.kind}: ready in {ready - prepared:.1f} s (+{prepared - began:.1f} s "
            f"preparing); GetVersion {server.version!r}; pid {server.child.pid}"
            + (f", RSS {rss:.0f} MiB" if rss is not None else ""))
        print(f"PORT {server.port}", flush=True)
        return server.serve(stop)
    except Interrupted:
        log(f"{args.kind}: {signal.Signals(stop.signum).name} received before the server "
            f"was ready")
        return 128 + stop.signum
    except LaunchError as e:
        log(f"{args.kind}: {e}")
        if starting:
            log(f"last lines of {server.log_path}:")
            for line in tail_file(server.log_path):
                print(f"    {line}", file=sys.stderr)
        return 1
    finally:
        server.stop_child()


if __name__ == "__main__":
    sys.exit(main())

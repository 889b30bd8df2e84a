#!/usr/bin/python3
"""idprov_probe.py - an independent IDProv client for the black-box tests of
idprovd (tests/server/*.sh).  Python 3 standard library only, so that it
shares no code with the daemon it checks.

It builds the canonical JSON of spec/WIRE.md itself (Go encoding/json
escaping), signs and verifies with HMAC-SHA256, and talks raw HTTP/1.1 over
TLS (or plain TCP) so that tests can send bytes no well-behaved client would.

Subcommands (see --help of each):
  selftest      canonical form and signatures against the WIRE.md vectors
  provreq-body  a signed provisioning request body
  oob-body      an OOB secret body
  verify-resp   a provisioning response: canonical bytes, signature, shape
  field         one field of a JSON object
  status-body   the exact status body the server must send
  raw           send bytes over TLS (or TCP), print the response(s)
  slow          trickle a request a byte at a time, report whether dropped
  silent        connect (TLS or TCP), say nothing, report whether dropped
  burst         many provisioning requests from a thread pool (crash test)
  mix           many clients against every endpoint at once (concurrent)
  race          the same request many times at once (one-time secrets)
  resume        a request on a full, then on a resumed TLS 1.2 session
  hold          hold many silent TCP connections (descriptor exhaustion)
  revoke-race   renewals racing a revocation: the device must end revoked
"""

import argparse
import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import socket
import ssl
import sys
import threading
import time

# ---------------------------------------------------------------- canonical


def _utf8_seq_len(b, i):
    """Length of the valid UTF-8 sequence at b[i], 0 if it is invalid.
    Python's strict decoder refuses overlongs and surrogates, as Go does."""
    for n in (2, 3, 4):
        chunk = b[i:i + n]
        if len(chunk) < n:
            return 0
        try:
            if len(chunk.decode("utf-8")) == 1:
                return n
        except UnicodeDecodeError:
            continue
    return 0


def go_quote(value):
    """A JSON string as Go's encoding/json Marshal writes it, as bytes."""
    b = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    out = bytearray(b'"')
    i = 0
    while i < len(b):
        c = b[i]
        if c < 0x80:
            if c == 0x22:
                out += b'\\"'
            elif c == 0x5C:
                out += b"\\\\"
            elif c == 0x0A:
                out += b"\\n"
            elif c == 0x0D:
                out += b"\\r"
            elif c == 0x09:
                out += b"\\t"
            elif c < 0x20 or c in (0x3C, 0x3E, 0x26):
                out += b"\\u%04x" % c
            else:
                out.append(c)
            i += 1
            continue
        n = _utf8_seq_len(b, i)
        if n == 0:
            out += b"\\ufffd"
            i += 1
            continue
        seq = bytes(b[i:i + n])
        if seq == "\u2028".encode():
            out += b"\\u2028"
        elif seq == "\u2029".encode():
            out += b"\\u2029"
        else:
            out += seq
        i += n
    out += b'"'
    return bytes(out)


def canon_object(pairs):
    """pairs: list of (key, value); value str/bytes -> string, int -> number,
    None -> null, bytes-like raw JSON given as ('raw', b'...')."""
    parts = []
    for k, v in pairs:
        if v is None:
            enc = b"null"
        elif isinstance(v, bool):
            enc = b"true" if v else b"false"
        elif isinstance(v, int):
            enc = str(v).encode()
        elif isinstance(v, tuple) and v[0] == "raw":
            enc = v[1]
        else:
            enc = go_quote(v)
        parts.append(go_quote(k) + b":" + enc)
    return b"{" + b",".join(parts) + b"}"


def canon_provreq(dev, ip, mac, pem, sig):
    return canon_object([("deviceID", dev), ("ip", ip), ("mac", mac),
                         ("publicKeyPEM", pem), ("signature", sig)])


def canon_provresp(retry, status, ca, cert, sig):
    pairs = []
    if retry:
        pairs.append(("retrySec", retry))
    pairs += [("status", status), ("caCert", ca), ("clientCert", cert),
              ("signature", sig)]
    return canon_object(pairs)


def canon_status(dev, status, ca, cert_b64):
    return canon_object([("deviceID", dev), ("status", status), ("caCert", ca),
                         ("clientCert", cert_b64)])


def hmac_b64(key, msg):
    if isinstance(key, str):
        key = key.encode("utf-8", "surrogatepass")
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def sign_provreq(dev, ip, mac, pem, secret):
    return hmac_b64(secret, canon_provreq(dev, ip, mac, pem, ""))


# ---------------------------------------------------------------- selftest

P = ("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoHFXlnlBIrP73x4Pb3pIhlbXoNOh\n"
     "esDNxoCh+gl5c4Vl7XVGtmX+/E2QDAXpsvM02Q+Hus3jUKWC/0HUZw3Hbw==\n-----END PUBLIC KEY-----\n")


def cmd_selftest(_args):
    """The vectors of WIRE.md: if these fail, the probe is wrong, not the server."""
    fails = 0

    def check(what, want, got):
        nonlocal fails
        if want != got:
            fails += 1
            print("selftest FAIL %s: expected %r, got %r" % (what, want, got))

    want1 = (b'{"deviceID":"device1","ip":"192.0.2.2","mac":"02:00:00:00:00:01","publicKeyPEM":'
             b'"-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoHFXlnlBIrP73x4Pb3pIhlbXoNOh\\n'
             b'esDNxoCh+gl5c4Vl7XVGtmX+/E2QDAXpsvM02Q+Hus3jUKWC/0HUZw3Hbw==\\n-----END PUBLIC KEY-----\\n",'
             b'"signature":""}')
    check("vector 1 bytes", want1,
          canon_provreq("device1", "192.0.2.2", "02:00:00:00:00:01", P, ""))
    check("vector 1 sig", "7Y2T86CG6CVfVes0sEamWtC+Uqmm/Ft47dbkPyGFqa8=",
          sign_provreq("device1", "192.0.2.2", "02:00:00:00:00:01", P, "s3cret"))
    check("vector 2 prefix", b'{"deviceID":"dev\\u003c\\u0026\\u003e1","ip":"10.0.0.7","mac":"",',
          canon_provreq("dev<&>1", "10.0.0.7", "", P, "")[:62])
    check("vector 2 sig", "Whbnql40gUM4sa9/sgZDP56wBzGDumkOzKCPtWY/HPw=",
          sign_provreq("dev<&>1", "10.0.0.7", "", P, "p@ss w0rd"))
    check("vector 3 sig", "e0bNZo38N0S1B/lr+WLRHnrQTfoNDmDyy1iGo052Qzw=",
          sign_provreq("Gerät-Küche-01", "fe80::1", "aa:bb:cc:dd:ee:ff", P, "geheim-ß"))
    check("vector 4 bytes", b'{"deviceID":"b\\u0008f\\u000cr\\r","ip":"","mac":"","publicKeyPEM":"","signature":""}',
          canon_provreq("b\bf\fr\r", "", "", "", ""))
    check("vector 4 sig", "8IwNXRCz0lOrhXttAG9/CH2LFlxy+vt1HFKf4bwcHOc=",
          sign_provreq("b\bf\fr\r", "", "", "", "k"))
    ca = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"
    cl = "-----BEGIN CERTIFICATE-----\nBB==\n-----END CERTIFICATE-----\n"
    check("vector 5 sig", "NbIfWRLpeQ8lEZiTaErROH+4m4jaOZtgW5fZ0fXzvPA=",
          hmac_b64("s3cret", canon_provresp(3600, "Approved", ca, cl, "")))
    check("vector 6 sig", "fLTmKWpDogymtKLXPaxpkkPTpAYrgnkrWXiGTOiVU44=",
          hmac_b64("", canon_provresp(0, "Approved", "CA", "CERT", "")))
    check("invalid utf-8", b'"a\\ufffd\\ufffdb"', go_quote(b"a\xe2\x82b"))
    check("u2028", b'"\\u2028\\u2029\x7f/"', go_quote("\u2028\u2029\x7f/"))
    if fails:
        return 1
    print("selftest ok: canonical form and HMAC match the WIRE.md vectors")
    return 0


# ---------------------------------------------------------------- bodies


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def cmd_provreq_body(a):
    pem = _read(a.pub).decode() if a.pub else a.pem
    sig = a.signature if a.signature is not None else \
        sign_provreq(a.id, a.ip, a.mac, pem, a.secret)
    sys.stdout.buffer.write(canon_provreq(a.id, a.ip, a.mac, pem, sig))
    return 0


def cmd_oob_body(a):
    sys.stdout.buffer.write(canon_object([("deviceID", a.id), ("oobSecret", a.secret),
                                          ("validUntil", a.valid_until)]))
    return 0


def _load_ordered(raw):
    """Parse JSON keeping key order and refusing duplicate keys."""
    def hook(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key in %r" % keys)
        return pairs
    return json.loads(raw.decode("utf-8"), object_pairs_hook=hook)


def check_provresp(raw, secret, want_status=None):
    """Returns (ok, message, fields).  Checks the response is one JSON object
    with exactly the WIRE.md fields in order, written canonically, and, when
    Approved, that its signature verifies under secret."""
    try:
        pairs = _load_ordered(raw)
    except ValueError as e:
        return False, "response is not one JSON object: %s: %r" % (e, raw[:200]), {}
    if not isinstance(pairs, list):
        return False, "response is not a JSON object: %r" % raw[:200], {}
    d = dict(pairs)
    keys = [k for k, _ in pairs]
    want_keys = (["retrySec"] if "retrySec" in d else []) + \
        ["status", "caCert", "clientCert", "signature"]
    if keys != want_keys:
        return False, "response fields %r, expected %r: %r" % (keys, want_keys, raw[:300]), d
    retry = d.get("retrySec", 0)
    if not isinstance(retry, int) or isinstance(retry, bool) or ("retrySec" in d and retry == 0):
        return False, "retrySec %r is not a non-zero integer (omitempty)" % retry, d
    for k in ("status", "caCert", "clientCert", "signature"):
        if not isinstance(d[k], str):
            return False, "%s is not a string" % k, d
    if want_status and d["status"] != want_status:
        return False, "status %r, expected %r (body %r)" % (d["status"], want_status, raw[:300]), d
    canon = canon_provresp(retry, d["status"], d["caCert"], d["clientCert"], d["signature"])
    if canon != raw:
        return False, "response is not in canonical form:\n got  %r\n want %r" % (raw[:400], canon[:400]), d
    if d["status"] == "Approved":
        want_sig = hmac_b64(secret, canon_provresp(retry, "Approved", d["caCert"], d["clientCert"], ""))
        if not hmac.compare_digest(want_sig, d["signature"]):
            return False, "Approved response signature %r does not verify (expected %r)" % (
                d["signature"], want_sig), d
    elif d["status"] in ("Waiting", "Rejected"):
        if d["signature"] or d["caCert"] or d["clientCert"]:
            return False, "%s response carries caCert/clientCert/signature" % d["status"], d
    else:
        return False, "unknown status %r" % d["status"], d
    return True, "ok", d


def cmd_verify_resp(a):
    raw = _read(a.file) if a.file != "-" else sys.stdin.buffer.read()
    ok, msg, _ = check_provresp(raw, a.secret, a.status)
    print(msg)
    return 0 if ok else 1


def cmd_field(a):
    raw = _read(a.file) if a.file != "-" else sys.stdin.buffer.read()
    try:
        d = json.loads(raw.decode("utf-8"))
    except ValueError as e:
        print("not JSON: %s" % e, file=sys.stderr)
        return 1
    if not isinstance(d, dict) or a.name not in d:
        print("no field %s" % a.name, file=sys.stderr)
        return 1
    v = d[a.name]
    if v is None:
        sys.stdout.write("null")
    elif isinstance(v, str):
        sys.stdout.buffer.write(v.encode("utf-8", "surrogatepass"))
    else:
        sys.stdout.write(json.dumps(v))
    return 0


def cmd_status_body(a):
    ca = _read(a.ca).decode()
    cert = None
    if a.cert:
        cert = base64.b64encode(_read(a.cert)).decode()
    sys.stdout.buffer.write(canon_status(a.id, a.status, ca, cert))
    return 0


# ---------------------------------------------------------------- raw HTTP


def tls_context(a, cert=None, key=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(a.ca)
    ctx.check_hostname = False  # we connect by IP without SNI, as Go does
    if cert:
        ctx.load_cert_chain(cert, key)
    if getattr(a, "alpn", None):
        ctx.set_alpn_protocols(a.alpn.split(","))
    return ctx


def connect(a, timeout=20):
    s = socket.create_connection(("127.0.0.1", a.port), timeout=timeout)
    if getattr(a, "plain", False):
        return s
    ctx = tls_context(a, a.cert, a.key)
    return ctx.wrap_socket(s, server_hostname=None)


class Closed(Exception):
    pass


class Reader:
    """Reads HTTP/1.x responses off a socket, one after the other."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False
        self.received = 0  # bytes read so far: tells unanswered from cut

    def _fill(self):
        if self.eof:
            raise Closed()
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            chunk = b""
        if not chunk:
            self.eof = True
            raise Closed()
        self.received += len(chunk)
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self):
        try:
            while True:
                self._fill()
        except Closed:
            pass
        out, self.buf = self.buf, b""
        return out

    def response(self, head=False):
        """(code, headers dict lower-case, body).  Raises Closed if the
        connection ends before a status line."""
        status = self.line()
        parts = status.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
            raise ValueError("not an HTTP status line: %r" % status[:100])
        code = int(parts[1])
        headers = {}
        while True:
            ln = self.line()
            if not ln:
                break
            k, _, v = ln.partition(b":")
            headers[k.strip().lower().decode()] = v.strip().decode("latin-1")
        if head or code in (204, 304) or 100 <= code < 200:
            return code, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line():
                        pass
                    break
                body += self.exact(size)
                self.line()
            return code, headers, body
        if "content-length" in headers:
            return code, headers, self.exact(int(headers["content-length"]))
        return code, headers, self.rest()


def cmd_raw(a):
    """Send the bytes of --in, then read responses.  Output: BODY\\nHTTP
    CODE of the first response, or with --all the codes of all responses
    ('HTTP 200 200'), or 'HTTP none' when the server closed without
    answering."""
    data = _read(a.infile)
    try:
        s = connect(a)
    except (ssl.SSLError, OSError) as e:
        print("\nHTTP handshake-failed %s" % e.__class__.__name__)
        return 0
    s.settimeout(a.timeout)
    try:
        s.sendall(data)
        if a.close_after_send:
            s.close()
            print("\nHTTP sent-and-closed")
            return 0
    except (OSError, ssl.SSLError) as e:
        # The server may answer (413...) and close before reading it all:
        # what it sent may still be readable.
        send_error = e.__class__.__name__
    else:
        send_error = None
    r = Reader(s)
    codes, first = [], None
    try:
        while len(codes) < a.expect_count:
            code, headers, body = r.response(head=a.head)
            codes.append(str(code))
            if first is None:
                first = (code, headers, body)
    except Closed:
        pass
    except socket.timeout:
        codes.append("timeout")
    except ValueError as e:
        codes.append("garbage")
        first = first or (0, {}, str(e).encode())
    if a.show_headers and first:
        for k, v in sorted(first[1].items()):
            sys.stdout.write("%s: %s\n" % (k, v))
    if not codes and send_error:
        print("\nHTTP send-failed %s" % send_error)
    elif not codes:
        print("\nHTTP none")
    elif a.all:
        if first:
            sys.stdout.buffer.write(first[2])
        print("\nHTTP " + " ".join(codes))
    else:
        sys.stdout.buffer.write(first[2] if first else b"")
        print("\nHTTP " + codes[0])
    return 0


def _wait_dropped(s, max_sec):
    """Seconds until the peer closed s, or None if it stayed open max_sec."""
    start = time.monotonic()
    s.settimeout(0.5)
    while time.monotonic() - start < max_sec:
        try:
            if not s.recv(4096):
                return time.monotonic() - start
        except socket.timeout:
            continue
        except (OSError, ssl.SSLError):
            return time.monotonic() - start
    return None


def cmd_slow(a):
    """Trickle a request, a byte every --interval s, for at most --max s.
    Prints 'dropped after N bytes' (exit 0) or 'not dropped' (exit 1)."""
    data = b"POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + \
        b"X-Slow: " + b"a" * 100000 + b"\r\n\r\n"
    s = connect(a)
    s.settimeout(a.interval + 1)
    start = time.monotonic()
    sent = 0
    while time.monotonic() - start < a.max:
        try:
            s.sendall(data[sent:sent + 1])
            sent += 1
        except (OSError, ssl.SSLError):
            print("dropped after %d bytes" % sent)
            return 0
        # A closed connection shows up as readable EOF before a send fails.
        s.settimeout(a.interval)
        try:
            got = s.recv(4096)
            if not got:
                print("dropped after %d bytes" % sent)
                return 0
            # an answer (e.g. 408) then close is fine too
            print("answered after %d bytes: %r" % (sent, got[:40]))
            return 0
        except socket.timeout:
            pass
        except (OSError, ssl.SSLError):
            print("dropped after %d bytes" % sent)
            return 0
    print("not dropped: still open after %d s and %d bytes" % (a.max, sent))
    return 1


def cmd_silent(a):
    """Connect (TLS handshake done unless --plain or --no-handshake), send
    nothing, wait for the server to close.  'dropped' exit 0, else exit 1."""
    if a.no_handshake:
        s = socket.create_connection(("127.0.0.1", a.port), timeout=20)
    else:
        s = connect(a)
    t = _wait_dropped(s, a.max)
    if t is None:
        print("not dropped: still open after %d s" % a.max)
        return 1
    print("dropped")
    return 0


# ---------------------------------------------------------------- clients


class Client:
    """One HTTPS request per connection, as most devices do."""

    def __init__(self, a, cert=None, key=None):
        self.a = a
        self.ctx = tls_context(a, cert, key)

    def attempt(self, method, path, body):
        """Like request, but says how it ended: ('ok', code, body),
        ('refused', ...) when no request could be sent, ('unanswered', ...)
        when the connection closed before any byte of an answer, ('cut', ...)
        when it closed in the middle of one."""
        try:
            s = socket.create_connection(("127.0.0.1", self.a.port), timeout=60)
            s = self.ctx.wrap_socket(s, server_hostname=None)
            req = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (method, path)
            req += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
            s.sendall(req.encode() + b"\r\n" + body)
        except (OSError, ssl.SSLError):
            return "refused", 0, b""
        r = Reader(s)
        try:
            code, _, raw = r.response()
            return "ok", code, raw
        except (Closed, OSError, ssl.SSLError, ValueError):
            return ("cut" if r.received else "unanswered"), 0, b""
        finally:
            s.close()

    def request(self, method, path, body=None):
        s = socket.create_connection(("127.0.0.1", self.a.port), timeout=60)
        s = self.ctx.wrap_socket(s, server_hostname=None)
        try:
            req = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (method, path)
            if body is not None:
                req += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
            s.sendall(req.encode() + b"\r\n" + (body or b""))
            return Reader(s).response(head=(method == "HEAD"))
        finally:
            s.close()


def _devices(path):
    """Lines 'deviceID secret pubkeyfile'."""
    out = []
    with open(path) as f:
        for ln in f:
            if ln.strip():
                dev, secret, pub = ln.split()
                out.append((dev, secret, pub))
    return out


def cmd_burst(a):
    """Provision every device of --list with --threads at a time; write each
    certificate actually received to --out/<deviceID>.pem.  Connection
    errors (the server being stopped or killed) are counted by kind
    (refused, unanswered, cut), not fatal."""
    client = Client(a)
    ca_pem = _read(a.ca).decode()
    os.makedirs(a.out, exist_ok=True)
    stats = {"approved": 0, "refused": 0, "unanswered": 0, "cut": 0, "other": 0}
    lock = threading.Lock()

    def one(entry):
        dev, secret, pub = entry
        pem = _read(pub).decode()
        body = canon_provreq(dev, "192.0.2.1", "", pem, sign_provreq(dev, "192.0.2.1", "", pem, secret))
        how, code, raw = client.attempt("POST", "/idprov/provreq", body)
        if how != "ok":
            with lock:
                stats[how] += 1
            return
        ok, msg, d = check_provresp(raw, secret, "Approved") if code == 200 else (False, "HTTP %d" % code, {})
        if ok and d.get("caCert") == ca_pem:
            tmp = os.path.join(a.out, ".%s.tmp" % dev)
            with open(tmp, "w") as f:
                f.write(d["clientCert"])
            os.rename(tmp, os.path.join(a.out, dev + ".pem"))
            with lock:
                stats["approved"] += 1
        else:
            with lock:
                stats["other"] += 1
            print("unexpected answer for %s: %s" % (dev, msg), file=sys.stderr)

    with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
        list(ex.map(one, _devices(a.list)))
    print(" ".join("%s=%d" % (k, stats[k]) for k in ("approved", "refused", "unanswered", "cut", "other")))
    return 0


def cmd_mix(a):
    """Every endpoint at once from --threads clients; each answer checked.
    Devices mix-ok-<n> and mix-rej-<n> must have the secret "secret-<id>"
    posted beforehand (Approved with it, Rejected when signed wrongly);
    --status-id names an Approved device.  Prints a summary; exit 1 and the
    first problems if any answer was wrong."""
    anon = Client(a)
    admin = Client(a, a.admin_cert, a.admin_key)
    ca_pem = _read(a.ca).decode()
    dir_want = _read(a.dir_expected)
    pem = _read(a.pub).decode()
    problems = []
    counts = {}
    lock = threading.Lock()

    def bad(msg):
        with lock:
            problems.append(msg)

    def count(kind):
        with lock:
            counts[kind] = counts.get(kind, 0) + 1

    def provreq(dev, secret):
        body = canon_provreq(dev, "192.0.2.7", "", pem, sign_provreq(dev, "192.0.2.7", "", pem, secret))
        return anon.request("POST", "/idprov/provreq", body)

    def job(i):
        kind, n = i % 7, i // 7
        try:
            if kind == 0:
                code, _, body = anon.request("GET", "/idprov/directory")
                if code != 200 or body != dir_want:
                    bad("directory: HTTP %d %r" % (code, body[:100]))
                count("directory")
            elif kind == 1:
                dev = "mix-oob-%d" % n
                body = canon_object([("deviceID", dev), ("oobSecret", "s-%d" % n), ("validUntil", "")])
                code, _, rb = admin.request("POST", "/idprov/oobsecret", body)
                if code != 200:
                    bad("oobsecret %s: HTTP %d %r" % (dev, code, rb[:100]))
                count("oobsecret")
            elif kind == 2:
                dev = "mix-wait-%d" % n
                code, _, rb = provreq(dev, "x")
                ok, msg, _ = check_provresp(rb, "x", "Waiting") if code == 200 else (False, "HTTP %d" % code, {})
                if not ok:
                    bad("provreq %s: %s" % (dev, msg))
                count("waiting")
            elif kind == 3:
                dev = "mix-ok-%d" % n
                code, _, rb = provreq(dev, "secret-" + dev)
                ok, msg, d = check_provresp(rb, "secret-" + dev, "Approved") if code == 200 \
                    else (False, "HTTP %d %r" % (code, rb[:100]), {})
                if ok and d.get("caCert") != ca_pem:
                    ok, msg = False, "caCert is not the CA PEM"
                if not ok:
                    bad("provreq %s: %s" % (dev, msg))
                count("approved")
            elif kind == 4:
                dev = "mix-rej-%d" % n
                code, _, rb = provreq(dev, "wrong-secret")
                ok, msg, _ = check_provresp(rb, "", "Rejected") if code == 200 \
                    else (False, "HTTP %d %r" % (code, rb[:100]), {})
                if not ok:
                    bad("provreq %s: %s" % (dev, msg))
                count("rejected")
            elif kind == 5:
                code, _, rb = admin.request("GET", "/idprov/status/" + a.status_id)
                if code != 200 or not rb.startswith(b'{"deviceID":"%s","status":"Approved"' % a.status_id.encode()):
                    bad("status: HTTP %d %r" % (code, rb[:100]))
                count("status")
            else:
                code, _, rb = admin.request("GET", "/idprov/admin/devices?limit=10")
                if code != 200 or not rb.startswith(b'{"total":'):
                    bad("admin devices: HTTP %d %r" % (code, rb[:100]))
                count("admin-list")
        except (OSError, ssl.SSLError, Closed, ValueError) as e:
            bad("job %d (kind %d): %s %s" % (i, kind, e.__class__.__name__, e))

    with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
        list(ex.map(job, range(a.requests)))
    print("answered: " + " ".join("%s=%d" % kv for kv in sorted(counts.items())))
    if problems:
        print("%d wrong answers, first ones:" % len(problems))
        for p in problems[:10]:
            print("  " + p)
        return 1
    return 0


def cmd_race(a):
    """For each device of --list (its secret posted), send --copies copies
    of the same signed request at the same moment (a barrier).  A secret is
    used once: exactly one Approved per device, the others Waiting.  With
    --wrong, every copy is signed wrongly and none may be Approved.  With
    --renew, the copies are renewals over mutual TLS with --cert/--key
    (signed with the empty key): a certificate renews once, the others are
    Rejected as superseded.  Exit 1 with the first problems otherwise."""
    client = Client(a, a.cert, a.key) if a.renew else Client(a)
    problems = []
    lock = threading.Lock()
    for dev, secret, pub in _devices(a.list):
        pem = _read(pub).decode()
        if a.renew:
            secret = ""
        key = "not-" + secret if a.wrong else secret
        body = canon_provreq(dev, "192.0.2.3", "", pem, sign_provreq(dev, "192.0.2.3", "", pem, key))
        barrier = threading.Barrier(a.copies)
        statuses = []

        def one():
            barrier.wait()
            try:
                code, _, raw = client.request("POST", "/idprov/provreq", body)
            except (OSError, ssl.SSLError, Closed, ValueError) as e:
                with lock:
                    statuses.append("error:" + e.__class__.__name__)
                return
            ok, msg, d = check_provresp(raw, secret, None) if code == 200 else (False, "HTTP %d" % code, {})
            with lock:
                statuses.append(d.get("status", "?") if ok else "bad:" + msg[:80])

        threads = [threading.Thread(target=one) for _ in range(a.copies)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        approved = statuses.count("Approved")
        want = 0 if a.wrong else 1
        others = [s for s in statuses if s != "Approved"]
        allowed = ("Rejected", "Waiting") if a.wrong else ("Rejected",) if a.renew else ("Waiting",)
        if approved != want or any(s not in allowed for s in others):
            problems.append("%s: %d copies at once answered %s (expected %d Approved, the rest %s)" % (
                dev, a.copies, sorted(statuses), want, "/".join(allowed)))
    if problems:
        print("%d devices answered wrongly:" % len(problems))
        for p in problems[:10]:
            print("  " + p)
        return 1
    print("ok: every device answered as a one-time secret demands")
    return 0


def cmd_resume(a):
    """TLS 1.2 session resumption with a client certificate: GET --path on a
    full handshake, then on a resumed session.  Prints the two status codes
    and whether the session was reused: '200 200 reused'."""
    ctx = tls_context(a, a.cert, a.key)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % a.path).encode()
    out = []
    session = None
    reused = False
    for _ in range(2):
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", a.port), timeout=20),
                            server_hostname=None, session=session)
        s.sendall(req)
        try:
            code, _, _ = Reader(s).response()
        except (Closed, ValueError):
            code = "none"
        out.append(str(code))
        reused = s.session_reused
        session = s.session
        s.close()
    print(" ".join(out) + (" reused" if reused else " not-reused"))
    return 0


def cmd_hold(a):
    """Open --count plain TCP connections and hold them, saying nothing,
    until killed or --max seconds.  Prints how many connected."""
    socks = []
    for _ in range(a.count):
        try:
            socks.append(socket.create_connection(("127.0.0.1", a.port), timeout=5))
        except OSError:
            break
    print("holding %d connections" % len(socks), flush=True)
    time.sleep(a.max)
    return 0


def cmd_revoke_race(a):
    """--trials times: the admin has a certificate issued for a fresh device
    (key --key/--pub), then --copies renewals with it and one revocation
    start at the same moment.  Whatever the order, once all are answered
    the device must be Revoked: a renewal before the revocation has its
    new certificate revoked with the others, one after it is refused.
    Exit 1 listing the trials that ended otherwise."""
    admin = Client(a, a.admin_cert, a.admin_key)
    pem = _read(a.pub).decode()
    bad = []
    tmpdir = a.tmp
    for t in range(a.trials):
        dev = "%s-%d" % (a.prefix, t)
        body = canon_provreq(dev, "192.0.2.4", "", pem, sign_provreq(dev, "192.0.2.4", "", pem, ""))
        code, _, raw = admin.request("POST", "/idprov/provreq", body)
        ok, msg, d = check_provresp(raw, "", "Approved") if code == 200 else (False, "HTTP %d" % code, {})
        if not ok:
            print("admin request for %s failed: %s" % (dev, msg))
            return 1
        cert = os.path.join(tmpdir, dev + ".pem")
        with open(cert, "w") as f:
            f.write(d["clientCert"])
        device = Client(a, cert, a.key)
        barrier = threading.Barrier(a.copies + 1)
        answers = []
        lock = threading.Lock()

        def renew():
            barrier.wait()
            try:
                c, _, r = device.request("POST", "/idprov/provreq", body)
                st = json.loads(r.decode()).get("status", "?") if c == 200 else "HTTP %d" % c
            except (OSError, ssl.SSLError, Closed, ValueError) as e:
                st = "error:" + e.__class__.__name__
            with lock:
                answers.append(st)

        def revoke():
            barrier.wait()
            c, _, r = admin.request("POST", "/idprov/admin/revoke",
                                    canon_object([("deviceID", dev), ("reason", "race")]))
            with lock:
                answers.append("revoke:%d" % c)

        threads = [threading.Thread(target=renew) for _ in range(a.copies)] + [threading.Thread(target=revoke)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        code, _, raw = admin.request("GET", "/idprov/status/" + dev)
        st = json.loads(raw.decode()).get("status") if code == 200 else "HTTP %d" % code
        if st != "Revoked" or "revoke:200" not in answers:
            bad.append("%s: status %s after %s" % (dev, st, sorted(answers)))
    if bad:
        print("%d of %d trials ended with the device not revoked:" % (len(bad), a.trials))
        for b in bad[:5]:
            print("  " + b)
        return 1
    print("ok: %d trials, the device always ended revoked" % a.trials)
    return 0


# ---------------------------------------------------------------- main


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    sub.add_parser("selftest").set_defaults(fn=cmd_selftest)

    s = sub.add_parser("provreq-body")
    s.add_argument("--id", required=True)
    s.add_argument("--ip", default="192.0.2.2")
    s.add_argument("--mac", default="")
    s.add_argument("--pub", help="public key PEM file")
    s.add_argument("--pem", default="", help="public key PEM text (when no --pub)")
    s.add_argument("--secret", default="", help="HMAC key ('' = the empty key)")
    s.add_argument("--signature", help="use this signature as is")
    s.set_defaults(fn=cmd_provreq_body)

    s = sub.add_parser("oob-body")
    s.add_argument("--id", required=True)
    s.add_argument("--secret", required=True)
    s.add_argument("--valid-until", default="")
    s.set_defaults(fn=cmd_oob_body)

    s = sub.add_parser("verify-resp")
    s.add_argument("--secret", default="")
    s.add_argument("--status")
    s.add_argument("--file", default="-")
    s.set_defaults(fn=cmd_verify_resp)

    s = sub.add_parser("field")
    s.add_argument("name")
    s.add_argument("--file", default="-")
    s.set_defaults(fn=cmd_field)

    s = sub.add_parser("status-body")
    s.add_argument("--id", required=True)
    s.add_argument("--status", required=True)
    s.add_argument("--ca", required=True)
    s.add_argument("--cert", help="certificate PEM file (absent: null)")
    s.set_defaults(fn=cmd_status_body)

    def net(s):
        s.add_argument("--port", type=int, required=True)
        s.add_argument("--ca", required=True)
        s.add_argument("--cert")
        s.add_argument("--key")
        s.add_argument("--alpn")
        s.add_argument("--plain", action="store_true", help="plain TCP, no TLS")

    s = sub.add_parser("raw")
    net(s)
    s.add_argument("--in", dest="infile", required=True)
    s.add_argument("--timeout", type=float, default=30)
    s.add_argument("--close-after-send", action="store_true")
    s.add_argument("--all", action="store_true")
    s.add_argument("--expect-count", type=int, default=1)
    s.add_argument("--head", action="store_true")
    s.add_argument("--show-headers", action="store_true")
    s.set_defaults(fn=cmd_raw)

    s = sub.add_parser("slow")
    net(s)
    s.add_argument("--interval", type=float, default=1.0)
    s.add_argument("--max", type=float, default=60)
    s.set_defaults(fn=cmd_slow)

    s = sub.add_parser("silent")
    net(s)
    s.add_argument("--no-handshake", action="store_true")
    s.add_argument("--max", type=float, default=60)
    s.set_defaults(fn=cmd_silent)

    s = sub.add_parser("burst")
    net(s)
    s.add_argument("--list", required=True)
    s.add_argument("--threads", type=int, default=8)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_burst)

    s = sub.add_parser("race")
    net(s)
    s.add_argument("--list", required=True)
    s.add_argument("--copies", type=int, default=8)
    s.add_argument("--wrong", action="store_true")
    s.add_argument("--renew", action="store_true")
    s.set_defaults(fn=cmd_race)

    s = sub.add_parser("resume")
    net(s)
    s.add_argument("--path", required=True)
    s.set_defaults(fn=cmd_resume)

    s = sub.add_parser("hold")
    net(s)
    s.add_argument("--count", type=int, default=100)
    s.add_argument("--max", type=float, default=60)
    s.set_defaults(fn=cmd_hold)

    s = sub.add_parser("revoke-race")
    net(s)
    s.add_argument("--admin-cert", required=True)
    s.add_argument("--admin-key", required=True)
    s.add_argument("--pub", required=True)
    s.add_argument("--prefix", default="rr")
    s.add_argument("--trials", type=int, default=20)
    s.add_argument("--copies", type=int, default=4)
    s.add_argument("--tmp", required=True)
    s.set_defaults(fn=cmd_revoke_race)

    s = sub.add_parser("mix")
    net(s)
    s.add_argument("--admin-cert", required=True)
    s.add_argument("--admin-key", required=True)
    s.add_argument("--pub", required=True)
    s.add_argument("--dir-expected", required=True)
    s.add_argument("--status-id", required=True)
    s.add_argument("--threads", type=int, default=8)
    s.add_argument("--requests", type=int, default=300)
    s.set_defaults(fn=cmd_mix)

    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())

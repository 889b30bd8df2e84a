#!/usr/bin/python3
"""hostile_server.py - hostile HTTP, TLS and JSON thrown at a running idprovd.

  hostile_server.py --port P --ca CA.pem --admin-cert A.pem --admin-key A.key
                    --pub KEYS_DIR --pid PID [--only SUBSTRING] [--flood N]

Every case sends its bytes, reads what comes back and checks it against
what the house rules allow: a 4xx with a JSON {"error":"..."} body where the
application answers, or a closed connection where TLS or the HTTP layer
refuses.  After each case the directory must still answer 200.  A case
marked `known` is a bug reported to the owner of the code: it is run and
printed as "KNOWN BUG" but does not fail the run; if it starts passing the
run says so, so the mark can be removed.

Each case prints one line: "ok: WHAT -> RESULT".  Exit status 0 when every
case not marked known passed.  Standard library only (plus the canonical
form of tests/server/idprov_probe.py, imported, so the two cannot differ).
"""
import argparse
import importlib.util
import json
import os
import socket
import ssl
import sys
import time
import warnings

warnings.simplefilter("ignore", DeprecationWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "idprov_probe", os.path.join(HERE, "..", "server", "idprov_probe.py"))
probe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probe)

A = None  # parsed arguments
FAILED = []
KNOWN = []


# ---------------------------------------------------------------- transport

def tls_ctx(cert=None, key=None, min_v=None, max_v=None, seclevel0=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(A.ca)
    ctx.check_hostname = False
    if seclevel0:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    if min_v:
        ctx.minimum_version = min_v
    if max_v:
        ctx.maximum_version = max_v
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def tls_connect(admin=False, timeout=15):
    s = socket.create_connection(("127.0.0.1", A.port), timeout=timeout)
    ctx = tls_ctx(A.admin_cert, A.admin_key) if admin else tls_ctx()
    return ctx.wrap_socket(s)


def read_all(s, limit=1 << 20, timeout=15):
    """Everything the server sends until it closes (or the timeout)."""
    s.settimeout(timeout)
    out = b""
    start = time.monotonic()
    while len(out) < limit and time.monotonic() - start < timeout:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return out, "timeout"
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError, OSError):
            return out, "closed"
        if not chunk:
            return out, "closed"
        out += chunk
    return out, "timeout"


def parse_responses(data):
    """[(code, headers, body)] of every complete HTTP response in data."""
    out = []
    while data.startswith(b"HTTP/"):
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.split(b"\r\n")
        try:
            code = int(lines[0].split(b" ")[1])
        except (IndexError, ValueError):
            break
        hdr = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            hdr[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
        if 100 <= code < 200:
            out.append((code, hdr, b""))
            data = rest
            continue
        if "content-length" in hdr:
            n = int(hdr["content-length"])
            body, data = rest[:n], rest[n:]
        elif hdr.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                ln, _, rest = rest.partition(b"\r\n")
                try:
                    n = int(ln.split(b";")[0], 16)
                except ValueError:
                    n = 0
                if n == 0:
                    rest = rest.partition(b"\r\n")[2]
                    break
                body += rest[:n]
                rest = rest[n + 2:]
            data = rest
        else:
            body, data = rest, b""
        out.append((code, hdr, body))
    return out


def bio_handshake(ctx, s):
    """A TLS handshake over memory BIOs on socket s (so that the caller
    controls every record and can half-close); (inc, out, obj), or None
    when the server closed during the handshake."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out)
    while True:
        try:
            obj.do_handshake()
            return inc, out, obj
        except ssl.SSLWantReadError:
            s.sendall(out.read())
            chunk = s.recv(65536)
            if not chunk:
                return None
            inc.write(chunk)


def exchange(data, admin=False, timeout=15, half_close=False):
    """Send raw bytes (or a list of parts) over TLS; (responses, how the
    connection ended).
    half_close: then send a TLS close_notify and a TCP FIN, and go on
    reading (Python's SSLSocket cannot half-close, so the TLS runs over
    memory BIOs here)."""
    ctx = tls_ctx(A.admin_cert, A.admin_key) if admin else tls_ctx()
    try:
        s = socket.create_connection(("127.0.0.1", A.port), timeout=timeout)
    except OSError as e:
        return [], "connect-failed %s" % e.__class__.__name__
    raw, end = b"", "timeout"
    try:
        tls = bio_handshake(ctx, s)
        if tls is None:
            s.close()
            return [], "handshake-failed closed"
        inc, out, obj = tls
        # a list: each part in its own TLS record, a pause between, so
        # that the server most likely reads them apart
        parts = data if isinstance(data, list) else [data]
        for i, part in enumerate(parts):
            if i:
                s.sendall(out.read())
                time.sleep(0.3)
            obj.write(part)
        if half_close:
            try:
                obj.unwrap()
            except (ssl.SSLWantReadError, ssl.SSLError):
                pass
        s.sendall(out.read())
        if half_close:
            s.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                end = "closed"
                break
            inc.write(chunk)
            try:
                while True:
                    got = obj.read(65536)
                    if not got:
                        break
                    raw += got
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                end = "closed"
                break
    except ssl.SSLError as e:
        end = "closed" if raw else "handshake-failed %s" % e.reason
    except (ConnectionResetError, BrokenPipeError):
        end = "closed"
    except OSError as e:
        end = "closed %s" % e.__class__.__name__
    s.close()
    return parse_responses(raw), end


def req(method, target, body=None, headers=(), version="HTTP/1.1", close=True):
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    lines = ["%s %s %s" % (method, target, version), "Host: 127.0.0.1"]
    lines += list(headers)
    if body is not None and not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        lines.append("Content-Length: %d" % len(body))
    if close:
        lines.append("Connection: close")
    out = ("\r\n".join(lines) + "\r\n\r\n").encode()
    if body is not None:
        out += body
    return out


def alive():
    r, _ = exchange(req("GET", "/idprov/directory"), timeout=20)
    return bool(r) and r[0][0] == 200


# ---------------------------------------------------------------- checks

def error_sentence(resp):
    """The non-empty error sentence of a JSON {"error":...} body, or None."""
    code, hdr, body = resp
    try:
        d = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(d, dict) and isinstance(d.get("error"), str) and d["error"].strip():
        return d["error"]
    return None


def judge(what, ok, detail, known=None):
    if ok and known:
        print("FIXED? %s -> %s (marked as a known bug: %s; remove the mark)" % (what, detail, known))
    elif ok:
        print("ok: %s -> %s" % (what, detail))
    elif known:
        print("KNOWN BUG: %s -> %s (%s)" % (what, detail, known))
        KNOWN.append(what)
    else:
        print("FAIL: %s -> %s" % (what, detail))
        FAILED.append(what)
    if not alive():
        print("FAIL: the server no longer serves the directory after: %s" % what)
        FAILED.append("alive after " + what)
        if not pid_alive():
            print("FAIL: idprovd (pid %d) is gone" % A.pid)
            finish()


def describe(resps, end):
    if not resps:
        return "no answer, connection %s" % end
    parts = []
    for r in resps:
        s = error_sentence(r)
        parts.append("%d%s" % (r[0], " %r" % s[:80] if s else " body=%r" % r[2][:60]))
    return "; ".join(parts) + " (then %s)" % end


def case(what, data, want, json_error=True, admin=False, known=None,
         timeout=15, allow_close=False, half_close=False, check=None):
    """want: the allowed status codes of the first answer.  json_error: a
    4xx must carry a JSON error sentence.  allow_close: no answer at all
    (the connection closed) is also acceptable."""
    if A.only and A.only not in what:
        return
    resps, end = exchange(data, admin=admin, timeout=timeout, half_close=half_close)
    detail = describe(resps, end)
    if not resps:
        ok = allow_close and end == "closed"
    else:
        ok = resps[0][0] in want
        if ok and json_error and 400 <= resps[0][0] < 500:
            ok = error_sentence(resps[0]) is not None
            if not ok:
                detail += " [no JSON error sentence]"
        if ok and check:
            ok, more = check(resps, end)
            if more:
                detail += " [%s]" % more
    judge(what, ok, detail, known)


def pid_alive():
    try:
        os.kill(A.pid, 0)
        return True
    except OSError:
        return False


def rss_kb():
    with open("/proc/%d/status" % A.pid) as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    return 0


def finish():
    print("%d known bugs, %d failures" % (len(KNOWN), len(FAILED)))
    for f in FAILED:
        print("  failed: %s" % f)
    sys.exit(1 if FAILED else 0)


# ---------------------------------------------------------------- bodies

def pub(name):
    with open(os.path.join(A.pub, name)) as f:
        return f.read()


def provreq_body(dev="hx-1", ip="192.0.2.2", mac="", pem=None, secret="x", sig=None):
    pem = pub("p256.pub") if pem is None else pem
    if sig is None:
        sig = probe.sign_provreq(dev, ip, mac, pem, secret)
    return probe.canon_provreq(dev, ip, mac, pem, sig).decode("utf-8", "surrogatepass")


def post_oob(dev, secret):
    body = json.dumps({"deviceID": dev, "oobSecret": secret, "validUntil": ""})
    r, end = exchange(req("POST", "/idprov/oobsecret", body,
                          ["Content-Type: application/json"]), admin=True)
    if not r or r[0][0] != 200:
        print("FAIL: posting the OOB secret of %r: %s" % (dev, describe(r, end)))
        FAILED.append("oob " + dev)


# ---------------------------------------------------------------- TLS level

def raw_tcp(data, timeout=10):
    s = socket.create_connection(("127.0.0.1", A.port), timeout=timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    raw, end = read_all(s, timeout=timeout)
    s.close()
    return raw, end


def tls_cases():
    def tcp_case(what, data):
        if A.only and A.only not in what:
            return
        raw, end = raw_tcp(data)
        # a TLS alert (0x15) or nothing, then a close: never HTTP, never a hang
        ok = end == "closed" and (raw == b"" or raw[:1] == b"\x15")
        judge(what, ok, "%d bytes back (%r), connection %s" % (len(raw), raw[:8], end))

    tcp_case("1 KB of random bytes instead of a ClientHello", os.urandom(1024))
    tcp_case("a TLS record header announcing 16 KB, then close",
             b"\x16\x03\x01\x40\x00" + b"\x01" * 10)
    tcp_case("an SSLv2-style ClientHello", bytes.fromhex("802b0103010012000000100000030000060000040000070000080100800300800700c0060040020080040080") + os.urandom(16))
    tcp_case("garbage line, then a TLS ClientHello", b"HELLO\r\n" + client_hello())
    tcp_case("a ClientHello with a zero-length record", b"\x16\x03\x01\x00\x00")

    # half a ClientHello, then close; and a ClientHello then silence is
    # tests/server's "silent" case.
    ch = client_hello()
    tcp_case("half a ClientHello, then close", ch[:len(ch) // 2])

    for name, ver in (("TLS 1.0", ssl.TLSVersion.TLSv1), ("TLS 1.1", ssl.TLSVersion.TLSv1_1)):
        what = "a client offering only " + name
        if A.only and A.only not in what:
            continue
        try:
            ctx = tls_ctx(min_v=ver, max_v=ver, seclevel0=True)
        except (ValueError, ssl.SSLError) as e:
            print("skip: %s: the local OpenSSL cannot offer it (%s)" % (what, e))
            continue
        s = socket.create_connection(("127.0.0.1", A.port), timeout=10)
        try:
            t = ctx.wrap_socket(s)
            judge(what, False, "handshake succeeded with %s" % t.version())
            t.close()
        except (ssl.SSLError, OSError) as e:
            judge(what, True, "handshake refused (%s)" % e.__class__.__name__)

    # many tiny TLS records: every byte of a request in its own record
    what = "a request sent one byte per TLS record"
    if not A.only or A.only in what:
        data = req("GET", "/idprov/directory")
        resps, end = tiny_records(data)
        judge(what, bool(resps) and resps[0][0] == 200, describe(resps, end))
    # a request whose TLS records are 0-byte application data records
    what = "a request between empty TLS records"
    if not A.only or A.only in what:
        resps, end = tiny_records(req("GET", "/idprov/directory"), empty=True)
        judge(what, bool(resps) and resps[0][0] == 200, describe(resps, end))


def client_hello():
    ctx = tls_ctx()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def tiny_records(data, empty=False):
    """Handshake through memory BIOs, then one SSL_write per byte: one
    record each (with empty=True, the whole request with 50 empty writes
    before it, which OpenSSL turns into nothing: so instead send the
    request in 64 pieces)."""
    ctx = tls_ctx()
    s = socket.create_connection(("127.0.0.1", A.port), timeout=15)
    tls = bio_handshake(ctx, s)
    if tls is None:
        return [], "closed during handshake"
    inc, out, obj = tls
    s.sendall(out.read())
    pieces = [data[i:i + 1] for i in range(len(data))] if not empty else \
        [data[i:i + 64] for i in range(0, len(data), 64)]
    for p in pieces:
        obj.write(p)
    s.sendall(out.read())
    raw = b""
    s.settimeout(15)
    end = "timeout"
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            end = "closed"
            break
        if not chunk:
            end = "closed"
            break
        inc.write(chunk)
        try:
            while True:
                raw += obj.read(65536)
        except (ssl.SSLWantReadError, ssl.SSLZeroReturnError, ssl.SSLError):
            pass
        if b"\r\n\r\n" in raw and parse_responses(raw) and len(raw) > 200:
            r = parse_responses(raw)
            if r and len(r[0][2]) >= int(r[0][1].get("content-length", "0")):
                end = "answered"
                break
    s.close()
    return parse_responses(raw), end


# ---------------------------------------------------------------- HTTP level

CT = ["Content-Type: application/json"]
DIR = "/idprov/directory"
PROV = "/idprov/provreq"


def all_codes(n, want):
    """check: n answers, all in want."""
    def chk(resps, end):
        codes = [r[0] for r in resps]
        return len(codes) == n and all(c in want for c in codes), "codes %s" % codes
    return chk


def closes(resps, end):
    """check: one answer, Connection: close, and the connection ends."""
    r = resps[0]
    ok = len(resps) == 1 and r[1].get("connection", "").lower() == "close" and end == "closed"
    return ok, None if ok else "%d answers, Connection %r, then %s" % (len(resps), r[1].get("connection"), end)


def allows(resps, end):
    """check: a 405 names the methods served (Allow), and closes."""
    ok, more = closes(resps, end)
    allow = resps[0][1].get("allow")
    if allow != "GET, HEAD, POST":
        return False, "Allow %r" % allow
    return ok, more


def head_then_get():
    """HEAD, then a GET on the same connection: a HEAD answer carries no
    body (RFC 9110 9.3.2), or the client reads it as the next response."""
    what = "HEAD then GET on one connection: no body after the HEAD answer"
    if A.only and A.only not in what:
        return
    data = req("HEAD", DIR, close=False) + req("GET", "/idprov/nothing")
    s = tls_connect()
    s.sendall(data)
    raw, end = read_all(s, timeout=10)
    s.close()
    head, _, rest = raw.partition(b"\r\n\r\n")
    ok = head.startswith(b"HTTP/1.1 200") and rest.startswith(b"HTTP/1.1 404")
    judge(what, ok, "after the HEAD headers: %r" % rest[:40])


def http_cases():
    body = provreq_body(dev="hx-chunk").encode()
    # -- Transfer-Encoding
    def chunked(te_body, extra=()):
        return req("POST", PROV, te_body, CT + ["Transfer-Encoding: chunked"] + list(extra))
    # server/request_gate.c answers these before libevent would (with its
    # HTML pages): JSON and the exact status, then the connection closes.
    case("chunked: a chunk size that is not hex", chunked(b"zz\r\n{}\r\n0\r\n\r\n"),
         {400}, check=closes)
    case("chunked: chunk size 0xffffffffffffffff", chunked(b"ffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
         {413}, check=closes)
    case("chunked: chunk size 2^68 (overflows 64 bits)", chunked(b"100000000000000000\r\n{}\r\n0\r\n\r\n"),
         {413}, check=closes)
    case("chunked: a negative chunk size", chunked(b"-2\r\n{}\r\n0\r\n\r\n"),
         {400}, check=closes)
    case("chunked: a chunk size with 0x", chunked(b"0x2\r\n{}\r\n0\r\n\r\n"), {400})
    case("chunked: an empty line instead of a chunk size", chunked(b"\r\n2\r\n{}\r\n0\r\n\r\n"), {400})
    case("chunked: chunk data not followed by CRLF", chunked(b"2\r\n{}XX\r\n0\r\n\r\n"), {400})
    case("chunked: a chunk-size line of 2 KiB (extensions)",
         chunked(b"2;" + b"e" * 2048 + b"\r\n{}\r\n0\r\n\r\n"), {400})
    case("chunked: chunks adding up to 64 KiB + 1", chunked(
        b"".join(b"4000\r\n" + b" " * 0x4000 + b"\r\n" for _ in range(4)) + b"1\r\n \r\n0\r\n\r\n"),
         {413}, check=closes)
    case("chunked: chunk size announcing more than is sent", chunked(b"400\r\n{}\r\n0\r\n\r\n"),
         {400, 408}, json_error=False, allow_close=True, half_close=True)
    case("chunked: a chunk extension", chunked(b"%x;name=value\r\n%s\r\n0\r\n\r\n" % (len(body), body)),
         {200}, json_error=False)
    case("chunked: extensions with spaces and a quoted value, and a trailer field",
         chunked(b"%x ; a=\"x;y\" ;b\r\n%s\r\n0;c=d\r\nX-Trailer: t\r\n\r\n" % (len(body), body)),
         {200}, json_error=False)
    case("chunked: a body sent in 1-byte chunks",
         chunked(b"".join(b"1\r\n%s\r\n" % body[i:i + 1] for i in range(len(body))) + b"0\r\n\r\n"),
         {200}, json_error=False)
    case("chunked: a bad trailer field", chunked(b"%x\r\n%s\r\n0\r\nBad Trailer: x\r\n\r\n" % (len(body), body)),
         {400}, check=closes)
    # pipelined sound requests after a chunked one are all answered
    case("pipelined: a chunked POST, then two GETs",
         req("POST", PROV, b"%x;e=1\r\n%s\r\n0\r\n\r\n" % (len(body), body),
             CT + ["Transfer-Encoding: chunked"], close=False)
         + req("GET", DIR, close=False) + req("GET", DIR),
         {200}, json_error=False, check=all_codes(3, {200}))
    case("chunked: no final 0 chunk, then half-close", chunked(b"%x\r\n%s\r\n" % (len(body), body)),
         {400, 408}, json_error=False, allow_close=True, half_close=True)
    case("both Transfer-Encoding: chunked and Content-Length",
         req("POST", PROV, b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body),
             CT + ["Transfer-Encoding: chunked", "Content-Length: 5"]),
         {400}, check=closes)
    case("Transfer-Encoding: gzip, chunked",
         req("POST", PROV, b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body),
             CT + ["Transfer-Encoding: gzip, chunked"]),
         {400}, check=closes)
    case("Transfer-Encoding: identity with a body and no length",
         req("POST", PROV, body, CT + ["Transfer-Encoding: identity"]),
         {400}, check=closes)
    case("Transfer-Encoding with a tab before chunked (libevent would not see chunked)",
         req("POST", PROV, b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body),
             CT + ["Transfer-Encoding:\tchunked"]),
         {400}, check=closes)
    case("Transfer-Encoding with a space before the colon (smuggling form)",
         req("POST", PROV, b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body),
             CT + ["Transfer-Encoding : chunked"]),
         {400}, check=closes)
    case("a HEAD with a body (libevent would read the body as a request)",
         req("HEAD", DIR, b"GET /idprov/smuggled HTTP/1.1\r\n\r\n", close=False),
         {400}, json_error=False,
         check=lambda r, e: (len(r) == 1 and r[0][1].get("connection") == "close",
                             "%d answers, Connection %s" % (len(r), r[0][1].get("connection"))))
    # the same on a kept-alive connection: what follows must not be run as
    # a request of its own (behind a proxy that took the header as TE,
    # that is request smuggling; RFC 9112 5.1: reject with 400 and close)
    case("Transfer-Encoding with a space before the colon, then a second request",
         req("POST", PROV, None, CT + ["Transfer-Encoding : chunked"], close=False)
         + req("GET", "/idprov/smuggled"), {400},
         check=lambda r, e: (len(r) == 1, "%d answers: %s" % (len(r), [x[0] for x in r])))
    # -- Content-Length oddities
    for cl, want in (("+%d" % len(body), 400), ("0x%x" % len(body), 400),
                     ("%d, %d" % (len(body), len(body)), 400), ("99999999999999999999999", 413),
                     ("1e3", 400), ("\t%d" % len(body), 400), ("-1", 400), ("", 400),
                     (" %d " % len(body), 200)):
        case("Content-Length %r" % cl,
             req("POST", PROV, body, CT + ["Content-Length: %s" % cl]),
             {want}, json_error=want != 200, timeout=10, check=closes if want != 200 else None)
    # 413 decided from the Content-Length: answered without the body
    case("Content-Length 65537 and no body sent: 413 at once",
         req("POST", PROV, None, CT + ["Content-Length: 65537"]), {413}, timeout=10, check=closes)
    case("Content-Length 65537 with its body", req("POST", PROV, b" " * 65537, CT),
         {413}, timeout=10, check=closes)
    case("Content-Length 65536 with its body (the limit): the application answers",
         req("POST", PROV, b" " * 65536, CT), {400}, timeout=10,
         check=lambda r, e: (error_sentence(r[0]) != "the request body is over 64 KiB",
                             "the sentence: %r" % error_sentence(r[0])))
    # -- Expect
    case("Expect: 100-continue",
         req("POST", PROV, body, CT + ["Expect: 100-continue"]), {100, 200},
         json_error=False, check=lambda r, e: (r[-1][0] == 200, "codes %s" % [x[0] for x in r]))
    case("Expect: 100-continue on a body over the limit",
         req("POST", PROV, None, CT + ["Expect: 100-continue", "Content-Length: 1000000"]),
         {413}, check=lambda r, e: (all(x[0] != 100 for x in r), "codes %s" % [x[0] for x in r]))
    case("Expect: something-else", req("POST", PROV, body, CT + ["Expect: nonsense"]),
         {417}, check=closes)
    # -- methods
    head_then_get()
    case("OPTIONS on the directory", req("OPTIONS", DIR), {200, 204, 405})
    case("OPTIONS * (asterisk form)", req("OPTIONS", "*"), {200, 204, 400, 404, 405}, json_error=False)
    case("CONNECT 127.0.0.1:443", req("CONNECT", "127.0.0.1:443"), {400}, check=closes)
    case("CONNECT with an authority libevent cannot parse", req("CONNECT", "[::1"), {400}, check=closes)
    case("TRACE on the directory", req("TRACE", DIR), {405})
    case("PATCH on the directory", req("PATCH", DIR), {405})
    case("an unknown method FOO", req("FOO", DIR), {405}, check=allows)
    case("a lower-case method get", req("get", DIR), {405}, check=allows)
    case("a 10 KB method name", req("X" * 10000, DIR), {405}, check=allows)
    case("a method with a byte that is not a token", req("G\x01T", DIR), {400}, check=closes)
    case("pipelined: a GET, then an unknown method, then a GET",
         req("GET", DIR, close=False) + req("FOO", DIR, close=False) + req("GET", DIR),
         {200}, json_error=False,
         check=lambda r, e: ([x[0] for x in r] == [200, 405] and error_sentence(r[1]) is not None,
                             "codes %s" % [x[0] for x in r]))
    # -- request targets
    case("absolute-form target https://127.0.0.1/idprov/directory",
         req("GET", "https://127.0.0.1:%d/idprov/directory" % A.port), {200, 400}, json_error=False)
    case("absolute-form target naming another host",
         req("GET", "https://evil.example/idprov/directory"), {200, 400, 404}, json_error=False)
    case("a target without the leading slash", req("GET", "idprov/directory"), {400}, check=closes)
    case("a target starting with // (libevent reads an authority)", req("GET", "//evil/idprov/directory"),
         {400}, check=closes)
    case("a target with a raw byte over 0x7f", req("GET", "/idprov/directory\xe9"), {400}, check=closes)
    case("absolute-form with a user", req("GET", "https://u@127.0.0.1/idprov/directory"), {400})
    case("absolute-form with port 99999", req("GET", "https://127.0.0.1:99999/idprov/directory"), {400})
    case("absolute-form with a bracketed host libevent cannot parse", req("GET", "https://[::1/x"), {400})
    for t in ("/idprov/directory%00", "/idprov/directory%00.json", "/idprov/%2e%2e/idprov/directory",
              "/idprov//directory", "/IDPROV/DIRECTORY", "/idprov/directory/",
              "/idprov/directory;x=1", "/idprov/directory#frag", "/idprov/direct%6fry",
              "/idprov/status/", "/idprov/status/%ff%fe", "/idprov/status/a%2fb",
              "/idprov/status/a/b", "/idprov/status/%00", "/idprov/status/" + "s" * 65,
              "/idprov/status/" + "s" * 5000, "/" + "a/" * 4000, "/idprov/status/%",
              "/idprov/status/%zz", "/idprov/status/%c0%ae%c0%ae"):
        case("target %s" % (t if len(t) < 70 else t[:40] + "...(%d bytes)" % len(t)),
             req("GET", t), {200, 400, 403, 404, 414}, json_error=True, admin=True,
             check=lambda r, e, t=t: (r[0][0] != 200 or t.startswith(("/idprov/direct", "/idprov/status/a", "/idprov/status/%")) and "%00" not in t and "%ff" not in t and "%c0" not in t, None))
    # -- query strings on every endpoint
    case("query string on the directory", req("GET", DIR + "?x=1&y=%00"), {200, 400}, json_error=True)
    case("query string on provreq", req("POST", PROV + "?deviceID=x", provreq_body(dev="hx-q"), CT),
         {200, 400}, json_error=True)
    case("query string on oobsecret",
         req("POST", "/idprov/oobsecret?a=%zz", json.dumps({"deviceID": "hx-q2", "oobSecret": "s", "validUntil": ""}), CT),
         {200, 400}, json_error=True, admin=True)
    case("query string on status", req("GET", "/idprov/status/hx-q?x=" + "%41" * 3000), {200, 400, 404, 414},
         admin=True)
    for q in ("status=bogus", "limit=-1", "limit=99999999999999999999999", "offset=-5",
              "limit=1e3", "limit=%00", "status=approved&status=waiting", "limit=&offset=",
              "=&=&&&", "a=" + "b" * 8000, "limit=0x10", "%ff=%fe"):
        case("admin/devices?%s" % (q if len(q) < 50 else q[:20] + "..."),
             req("GET", "/idprov/admin/devices?" + q), {200, 400, 414}, admin=True)
    # -- headers
    case("a single 100 KB header", req("GET", DIR, None, ["X-Big: " + "a" * 100000]),
         {431}, check=closes)
    case("200 small headers (under the limit)", req("GET", DIR, None, ["X-H%d: v" % i for i in range(200)]),
         {200}, json_error=False)
    case("2000 small headers (over 16 KiB)", req("GET", DIR, None, ["X-H%d: v" % i for i in range(2000)]),
         {431}, check=closes)
    case("a header line without a colon", req("GET", DIR, None, ["NoColonHere"]), {400}, check=closes)
    case("header folding (obs-fold)", b"GET /idprov/directory HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n",
         {400}, check=closes)
    case("folding of Content-Length",
         b"POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length:\r\n %d\r\nConnection: close\r\n\r\n%s" % (len(body), body),
         {400}, check=closes)
    case("bare LF line ends", b"GET /idprov/directory HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n\n",
         {200}, json_error=False)
    case("bare CR line ends", b"GET /idprov/directory HTTP/1.1\rHost: 127.0.0.1\rConnection: close\r\r",
         {400}, check=closes)
    case("a NUL byte in a header value", req("GET", DIR, None, ["X-A: a\x00b"]), {400}, check=closes)
    case("HTTP/1.1 without Host", b"GET /idprov/directory HTTP/1.1\r\nConnection: close\r\n\r\n",
         {200, 400}, json_error=False, allow_close=True)
    case("two Host headers", req("GET", DIR, None, ["Host: evil.example"]), {200, 400},
         json_error=False, allow_close=True)
    case("HTTP/2.0 in the request line", req("GET", DIR, version="HTTP/2.0"), {505}, check=closes)
    case("HTTP/0.9 style request", b"GET /idprov/directory\r\n\r\n", {400}, check=closes)
    case("HTTP/1.12345678901234567890", req("GET", DIR, version="HTTP/1.12345678901234567890"),
         {400}, check=closes)
    case("HTTP/9.9", req("GET", DIR, version="HTTP/9.9"), {505}, check=closes)
    case("an HTTP/2 connection preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {505}, check=closes)
    case("an empty request (just CRLFs)", b"\r\n\r\n\r\n", {400}, check=closes)
    # -- a TLS half-close (close_notify, then FIN) right after a complete
    # request: the answer still comes (it used to be lost: evhttp read the
    # close_notify while the answer waited to be written)
    case("a GET, then close_notify and FIN", req("GET", DIR, close=False), {200},
         json_error=False, half_close=True)
    case("a provisioning request (Waiting), then close_notify and FIN",
         req("POST", PROV, provreq_body(dev="hx-halfclose"), CT, close=False), {200},
         json_error=False, half_close=True,
         check=lambda r, e: (b'"status":"Waiting"' in r[0][2], "body %r" % r[0][2][:60]))
    # -- pipelining
    pipe = req("GET", DIR, close=False) + req("POST", PROV, provreq_body(dev="hx-pipe"), CT, close=False) \
        + req("GET", DIR)
    case("pipelined GET, POST, GET", pipe, {200}, json_error=False, check=all_codes(3, {200}))
    pipe = req("GET", DIR, close=False) + req("POST", PROV, "{bad", CT, close=False) + req("GET", DIR)
    case("pipelined GET, bad POST, GET", pipe, {200}, json_error=False,
         check=all_codes(3, {200, 400}))
    pipe = req("GET", DIR, close=False) + b"GARBAGE\r\n\r\n" + req("GET", DIR)
    case("pipelined GET, a garbage line, GET", pipe, {200}, json_error=False,
         check=lambda r, e: ([x[0] for x in r] == [200, 400] and error_sentence(r[1]) is not None,
                             "codes %s" % [x[0] for x in r]))
    # -- a request refused in a later TLS record than its start: libevent
    # has already read part of it, and still never answers it itself
    chead = b"POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"%x\r\n%s\r\n" % (len(body), body)
    for what, parts, want in (
            ("the request line, then a bad header line",
             [b"POST /idprov/provreq HTTP/1.1\r\n", b"Bad Header: x\r\n\r\n"], 400),
            ("a head with a Content-Length, then a NUL in a header",
             [b"POST /idprov/provreq HTTP/1.1\r\nContent-Length: 10\r\n", b"X-A: a\x00\r\n\r\n0123456789"], 400),
            ("a chunked head, then a bad chunk size",
             [chead + chunk, b"zz\r\n0\r\n\r\n"], 400),
            ("a chunked body, then a bad trailer field",
             [chead + chunk + b"0\r\n", b"Bad Trailer: x\r\n\r\n"], 400),
            ("a chunked body, then chunks past 64 KiB",
             [chead + chunk, b"ffff\r\n" + b" " * 0xffff + b"\r\n0\r\n\r\n"], 413),
            ("a head with Expect: 100-continue, then a 64 KiB + 1 Content-Length",
             [b"POST /idprov/provreq HTTP/1.1\r\nExpect: 100-continue\r\n", b"Content-Length: 65537\r\n\r\n"], 413)):
        case("in two records: " + what, parts, {want}, check=closes)
    case("in three records: a sound chunked POST with an extension",
         [chead[:20], chead[20:] + chunk[:3], chunk[3:] + b"0;x=y\r\n\r\n"], {200}, json_error=False)
    case("in two records: a GET, then an unknown method",
         [req("GET", DIR, close=False), req("FOO", DIR)], {200}, json_error=False,
         check=lambda r, e: ([x[0] for x in r] == [200, 405] and error_sentence(r[1]) is not None,
                             "codes %s" % [x[0] for x in r]))
    pipe = b"".join(req("GET", DIR, close=False) for _ in range(200)) + req("GET", DIR)
    case("200 pipelined GETs", pipe, {200}, json_error=False, timeout=30, check=all_codes(201, {200}))


# ---------------------------------------------------------------- JSON level

def refused(what, body, want=(400,), path=PROV, admin=False, known=None, word=None):
    def chk(resps, end):
        s = error_sentence(resps[0]) or ""
        if word and word.lower() not in s.lower():
            return False, "the sentence does not name %s" % word
        return True, None
    case(what, req("POST", path, body, CT), set(want), admin=admin, known=known, check=chk)


def signed_provreq(what, dev, pem=None, ip="192.0.2.2", mac="", want=(400,), word=None, known=None):
    """A correctly signed request for a device whose secret is posted."""
    secret = "secret-" + dev
    post_oob(dev, secret)
    refused(what, provreq_body(dev=dev, ip=ip, mac=mac, pem=pem, secret=secret), want,
            word=word, known=known)


def raw_provreq(dev='"hx-1"', ip='"192.0.2.2"', mac='""', pem=None, sig='"x"'):
    if pem is None:
        pem = json.dumps(pub("p256.pub"))
    return '{"deviceID":%s,"ip":%s,"mac":%s,"publicKeyPEM":%s,"signature":%s}' % (dev, ip, mac, pem, sig)


def json_cases():
    p256 = pub("p256.pub")
    # nesting inside an otherwise valid object
    refused("an extra key nested 10000 objects deep",
            raw_provreq().replace("{", '{"x":' + '{"a":' * 10000 + "1" + "}" * 10000 + ",", 1),
            (200, 400))
    refused("an extra key nested 10000 arrays deep",
            raw_provreq().replace("{", '{"x":' + "[" * 10000 + "]" * 10000 + ",", 1), (200, 400))
    refused("10000 unclosed arrays", "[" * 10000, (400,))
    refused("valid body inside 60 KB of whitespace", " \t\r\n" * 7500 + provreq_body(dev="hx-ws") + "\n" * 1000,
            (200,))
    refused("a body of 64 KiB whitespace", " " * 65536, (400, 413))
    refused("a body of 64 KiB + 1 whitespace", " " * 65537, (400, 413))
    for field in ("ip", "mac", "publicKeyPEM", "signature"):
        refused("\\u0000 inside %s" % field,
                raw_provreq(**{{"publicKeyPEM": "pem", "signature": "sig"}.get(field, field): '"a\\u0000b"'}), (400,))
    refused("a lone low surrogate \\udc00 in deviceID", raw_provreq(dev='"a\\udc00"'), (400,))
    refused("a surrogate pair (U+1F600) in deviceID, wrongly signed", raw_provreq(dev='"a\\ud83d\\ude00"'),
            (200, 400))
    refused("a lone surrogate in signature", raw_provreq(sig='"\\ud800"'), (400,))
    for name, b in (("overlong '/' C0 AF", b"\xc0\xaf"), ("overlong NUL C0 80", b"\xc0\x80"),
                    ("a UTF-16 surrogate in UTF-8 ED A0 80", b"\xed\xa0\x80"),
                    ("F5 (past U+10FFFF)", b"\xf5\x80\x80\x80"), ("a truncated sequence E2 82", b"\xe2\x82")):
        refused("deviceID with %s" % name,
                raw_provreq(dev='"a%s"' % b.decode("latin-1")).encode("latin-1"), (400,))
    for v in ("1e999", "-0", "-1e-999", "0.0", "123456789012345678901234567890", "true", "[]", "{}", "\"\""):
        # a number jansson cannot hold is a JSON error, the rest name the field
        refused("deviceID = %s" % v, raw_provreq(dev=v), (400,),
                word=None if v in ("1e999", "123456789012345678901234567890") else "deviceID")
    refused("signature = 1e999", raw_provreq(sig="1e999"), (400,))
    refused("NaN as a value", raw_provreq(dev="NaN"), (400,))
    refused("a trailing comma", raw_provreq()[:-1] + ",}", (400,))
    refused("single quotes", raw_provreq().replace('"', "'"), (400,))
    refused("a comment", "/*c*/" + raw_provreq(), (400,))
    refused("an unterminated string", '{"deviceID":"abc', (400,))
    refused("a body that is one NUL byte", "\x00", (400,))
    refused("a valid body followed by a NUL byte", provreq_body(dev="hx-nul") + "\x00", (400,))
    refused("a valid body followed by junk", provreq_body(dev="hx-junk") + " x", (400,))
    refused("a 50 KB key name", raw_provreq().replace("{", '{"%s":1,' % ("k" * 50000), 1), (200, 400))
    refused("10000 extra keys", raw_provreq().replace("{", "{" + ",".join('"k%d":1' % i for i in range(5000)) + ",", 1),
            (200, 400))
    refused("UTF-16LE body", raw_provreq().encode("utf-16-le"), (400,))
    # -- signatures of the wrong shape
    for what, sig in (("43 base64 characters", "A" * 43), ("45 base64 characters", "A" * 44 + "="),
                      ("1 character", "A"), ("31 bytes in base64", "QUFB" * 10 + "QUE="),
                      ("33 bytes in base64", "QUFB" * 11), ("a URL-safe alphabet", "-_" * 22),
                      ("10 KB of base64", "QUFB" * 2560), ("spaces in the base64", "AAAA AAAA" * 4),
                      ("non-base64 bytes", "!!!!" * 11), ("only padding", "=" * 44)):
        dev = "hx-sig-%d" % (abs(hash(what)) % 100000)
        post_oob(dev, "secret-" + dev)
        refused("signature of %s" % what,
                provreq_body(dev=dev, secret="secret-" + dev, sig=sig), (200,),
                word=None) if False else \
            case("signature of %s: Rejected, not approved" % what,
                 req("POST", PROV, provreq_body(dev=dev, secret="secret-" + dev, sig=sig), CT),
                 {200, 400}, check=lambda r, e: (r[0][0] == 400 or b'"Rejected"' in r[0][2],
                                                 None if r[0][0] == 400 else "status %s" % r[0][2][:40]))
    # -- public keys
    # validate.h: EC P-256, P-384 and Ed25519 are accepted, the rest refused
    for name in ("x25519.pub", "p256-explicit.pub", "dsa.pub"):
        signed_provreq("a %s public key" % name[:-4], "hx-k-%s" % name[:-4].replace("-", ""),
                       pem=pub(name), word="key")
    for name in ("p384.pub", "ed25519.pub"):
        signed_provreq("a %s public key (accepted)" % name[:-4], "hx-k-%s" % name[:-4],
                       pem=pub(name), want=(200,))
    signed_provreq("a compressed P-256 point", "hx-k-comp", pem=pub("p256-compressed.pub"),
                   want=(200, 400))
    der_b64 = "".join(ln for ln in p256.splitlines() if not ln.startswith("-----"))
    signed_provreq("the key as bare base64 DER (no armour)", "hx-k-der", pem=der_b64, word="key")
    lines = p256.splitlines()
    signed_provreq("a PEM with the wrong label", "hx-k-label",
                   pem="\n".join(["-----BEGIN EC PUBLIC KEY-----"] + lines[1:-1] + ["-----END EC PUBLIC KEY-----", ""]),
                   word="key")
    signed_provreq("a PEM with a header line", "hx-k-hdr",
                   pem="\n".join([lines[0], "Proc-Type: 4,ENCRYPTED", ""] + lines[1:] + [""]), want=(200, 400))
    signed_provreq("a PEM whose base64 is cut", "hx-k-cut",
                   pem="\n".join([lines[0], lines[1][:30], lines[-1], ""]), word="key")
    signed_provreq("a PEM with 40 KB of base64", "hx-k-big",
                   pem="\n".join([lines[0]] + ["QUFB" * 16] * 600 + [lines[-1], ""]), word="key")
    signed_provreq("a P-256 point not on the curve", "hx-k-offcurve", pem=pub("p256-offcurve.pub"), word="key")
    signed_provreq("a PEM with \\r\\n line ends", "hx-k-crlf", pem=p256.replace("\n", "\r\n"), want=(200, 400))
    signed_provreq("a PEM of 1000 empty lines", "hx-k-empty", pem="\n" * 1000, word="key")
    # -- deviceIDs
    refused("a deviceID of 64 two-byte characters (128 bytes)",
            provreq_body(dev="é" * 64), (400,), word="deviceID")
    signed_provreq("a deviceID of 32 two-byte characters (64 bytes)", "é" * 32, want=(200,))
    for dev in (".", "..", "../x", "a/b", "a\\b", " lead", "trail ", "%2e%2e", "x" * 62):
        signed_provreq("the deviceID %r" % (dev if len(dev) < 20 else dev[:10] + "..."),
                       "hx" + dev if dev not in (".", "..") else dev, want=(200, 400))
    # -- oobsecret
    def oob(what, d, want=(400,), word=None):
        refused("oobsecret: " + what, json.dumps(d) if not isinstance(d, str) else d, want,
                path="/idprov/oobsecret", admin=True, word=word)
    for vu in ("2026-13-45T99:99:99Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
               "2026-12-01T00:00:60Z", "2026-12-01T00:00:00+99:99", "292277026596-12-04T15:30:07Z",
               "2026-12-01", "2026-12-01T00:00:00.123456789012Z", "-2026-12-01T00:00:00Z",
               "2000-01-01T00:00:00Z", "2026-12-01T00:00:00z", "2026-02-30T00:00:00Z"):
        oob("validUntil %r" % vu, {"deviceID": "hx-vu", "oobSecret": "s", "validUntil": vu}, (200, 400))
    oob("an empty oobSecret", {"deviceID": "hx-o1", "oobSecret": "", "validUntil": ""}, (400,), word="oobSecret")
    oob("an oobSecret with \\u0000", '{"deviceID":"hx-o2","oobSecret":"a\\u0000b","validUntil":""}', (400,))
    oob("a 60 KB oobSecret", {"deviceID": "hx-o3", "oobSecret": "s" * 60000, "validUntil": ""}, (400, 413))
    oob("oobSecret a number", '{"deviceID":"hx-o4","oobSecret":1e999,"validUntil":""}', (400,))
    oob("a bulk array of 2000 secrets", json.dumps([{"deviceID": "hx-b%d" % i, "oobSecret": "s", "validUntil": ""}
                                                    for i in range(2000)]), (200, 400, 413))

    # -- admin endpoints (docs/admin-api.md)
    def admin(what, path, body, want, word=None):
        refused("admin " + what, body, want, path=path, admin=True, word=word)
    R, O = "/idprov/admin/revoke", "/idprov/admin/oobsecrets"
    admin("revoke: a reason with a newline and an escape (log forging)",
          R, '{"deviceID":"hx-1","reason":"x\\nidprovd: info: FAKE\\u001b[2J"}', (400, 404))
    admin("revoke: a reason with \\u0000", R, '{"deviceID":"hx-1","reason":"x\\u0000y"}', (400,))
    admin("revoke: a 201-byte reason", R, json.dumps({"deviceID": "hx-1", "reason": "r" * 201}), (400, 404))
    admin("revoke: an unknown device", R, '{"deviceID":"hx-nobody"}', (404,))
    admin("revoke: deviceID a number", R, '{"deviceID":5}', (400,), word="deviceID")
    admin("revoke: a JSON array", R, "[]", (400,))
    admin("revoke: duplicate deviceID keys", R, '{"deviceID":"a","deviceID":"b"}', (400,))
    admin("oobsecrets: secrets an object", O, '{"secrets":{}}', (400,), word="secrets")
    admin("oobsecrets: secrets of numbers", O, '{"secrets":[1,2]}', (400,))
    admin("oobsecrets: secrets null", O, '{"secrets":null}', (400,))
    admin("oobsecrets: validUntil null", O, '{"secrets":[{"deviceID":"z1","oobSecret":"s","validUntil":null}]}',
          (400,), word="validUntil")
    admin("oobsecrets: the same device twice", O,
          '{"secrets":[{"deviceID":"z1","oobSecret":"s"},{"deviceID":"z1","oobSecret":"t"}]}', (400,))
    admin("oobsecrets: 1600 entries (60 KB)", O,
          json.dumps({"secrets": [{"deviceID": "b%d" % i, "oobSecret": "s"} for i in range(1600)]},
                     separators=(",", ":")), (200, 400, 413))


def flood(n):
    """n bad requests on fresh connections: RSS must level off.  Samples
    at n/3 and at the end: a leak of even 4 KB a request would show as
    more than the allowance."""
    bad = [req("POST", PROV, "{" * 100, CT), req("GET", "/idprov/status/%00"),
           req("POST", PROV, raw_provreq(dev='"a\\ud800"'), CT), b"GARBAGE\r\n\r\n",
           req("POST", PROV, b"ffffffff\r\n", CT + ["Transfer-Encoding: chunked"]),
           req("POST", PROV, " " * 60000 + "{", CT), req("POST", PROV, "[" * 20000, CT),
           req("GET", DIR, None, ["X-H%d: %s" % (i, "v" * 50) for i in range(250)]),
           req("POST", PROV, provreq_body(dev="hx-flood", pem=pub("p256-offcurve.pub")), CT)]
    before = None
    for i in range(n):
        if i == n // 3:
            before = rss_kb()
        exchange(bad[i % len(bad)], timeout=5)
    after = rss_kb()
    grow = after - before
    allow = max(8192, (n - n // 3) * 4)
    judge("%d bad requests: RSS %d KB at a third, %d KB at the end" % (n, before, after),
          grow < allow, "grew %d KB (allowed %d KB)" % (grow, allow))


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--admin-cert", required=True)
    p.add_argument("--admin-key", required=True)
    p.add_argument("--pub", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--only")
    p.add_argument("--flood", type=int, default=0)
    A = p.parse_args()
    if not alive():
        print("FAIL: the server does not serve the directory before any case")
        sys.exit(1)
    tls_cases()
    http_cases()
    json_cases()
    if A.flood:
        flood(A.flood)
    finish()


if __name__ == "__main__":
    main()

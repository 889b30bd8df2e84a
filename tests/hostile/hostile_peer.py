#!/usr/bin/python3
"""hostile_peer.py - HTTPS servers that misbehave towards the device client.

  hostile_peer.py --cert PEM --key PEM --ca PEM --ready FILE --count-dir DIR

Opens one listener per mode on 127.0.0.1 (and the "elsewhere" listener on
127.0.0.2, another host as far as the client can tell) and writes one line
"MODE 127.0.0.1:PORT" per mode to --ready once all listen.  Every request
a listener gets is counted in COUNT_DIR/MODE (one line per request, the
request line), so a test can tell "not followed" from "followed".

Modes (the directory answer unless the name says provreq):
  huge        200 with an 8 MB body
  endless     200, chunked, chunks forever
  drip        200, Content-Length 4096, one byte a second
  dripheaders a status line, then header bytes one a second, forever
  bigheaders  200 with 4 MB of headers
  redirect    302 to the elsewhere listener (another host)
  redirect307 307 to the same path on the elsewhere listener
  html        200, text/html, an HTML page
  wrongtype   200, Content-Type text/plain, a valid directory
  array       200, a JSON array
  shape       200, endpoints an array, caCert a number
  badca       200, caCert base64 of garbage
  otherhost   a valid directory whose endpoints are absolute URLs of the
              elsewhere listener
  e503        503 with an HTML page
  e404        404 with an HTML page
  provhuge    a valid directory; provreq answered with 8 MB
  provendless a valid directory; provreq answered with endless chunks
  provdrip    a valid directory; provreq answered a byte a second
  provhtml    a valid directory; provreq answered 500 with an HTML page
  provshape   a valid directory; provreq answered {"status":42}
  retry0      a valid directory; provreq answered Waiting, retrySec 0
  retryneg    a valid directory; provreq answered Waiting, retrySec -5
  retrybig    a valid directory; provreq answered Waiting, retrySec 10^18
  escape      403 whose body holds terminal escape sequences, raw
  jsonescape  403 {"error":...} whose sentence holds escapes and C1 bytes
  signed-*    a valid directory; provreq answered Approved and correctly
              signed with --secret (a server that knows the secret but
              issues a bad certificate), clientCert being:
                signed-ok       right key and CN (the control case)
                signed-garbage  not a certificate
                signed-otherkey a certificate of the CA for another key
                signed-othercn  right key, CN of another device
                signed-expired  right key and CN, expired yesterday
                signed-ca       right key and CN, but CA:TRUE
                signed-otherca  right key and CN, another CA's
  elsewhere   (127.0.0.2) counts what reaches it and answers 404
Standard library only.
"""
import argparse
import base64
import importlib.util
import subprocess
import tempfile
import json
import os
import socket
import ssl
import sys
import threading
import time

p = argparse.ArgumentParser()
p.add_argument("--cert", required=True)
p.add_argument("--key", required=True)
p.add_argument("--ca", required=True)
p.add_argument("--ready", required=True)
p.add_argument("--count-dir", required=True)
p.add_argument("--ca-key")
p.add_argument("--other-ca")
p.add_argument("--other-ca-key")
p.add_argument("--secret", default="s3cret")
A = p.parse_args()

CA_PEM = open(A.ca, "rb").read()
_spec = importlib.util.spec_from_file_location(
    "idprov_probe", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server", "idprov_probe.py"))
probe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probe)
MODES = ["huge", "endless", "drip", "dripheaders", "bigheaders", "redirect", "redirect307",
         "html", "wrongtype", "array", "shape", "badca", "otherhost", "e503", "e404",
         "provhuge", "provendless", "provdrip", "provhtml", "provshape", "retry0",
         "retryneg", "retrybig", "escape", "jsonescape"]
SIGNED = ["signed-ok", "signed-garbage", "signed-otherkey", "signed-othercn", "signed-expired",
          "signed-ca", "signed-otherca"]
ELSEWHERE = None  # "127.0.0.2:PORT"


def directory(endpoint_base=""):
    return json.dumps({
        "endpoints": {
            "directory": endpoint_base + "/idprov/directory",
            "status": endpoint_base + "/idprov/status/{deviceID}",
            "postOobSecret": endpoint_base + "/idprov/oobsecret",
            "postProvisionRequest": endpoint_base + "/idprov/provreq",
        },
        "caCert": base64.b64encode(CA_PEM).decode(),
        "version": "1",
        "services": {},
    }, separators=(",", ":")).encode()


def head(code, reason, ctype="application/json", length=None, extra=()):
    h = ["HTTP/1.1 %d %s" % (code, reason), "Content-Type: " + ctype, "Connection: close"]
    if length is not None:
        h.append("Content-Length: %d" % length)
    h += list(extra)
    return ("\r\n".join(h) + "\r\n\r\n").encode()


def send(c, code, reason, body, ctype="application/json", extra=()):
    c.sendall(head(code, reason, ctype, len(body), extra) + body)


HTML = b"<html><head><title>Oops</title></head><body><h1>Something broke</h1></body></html>\n"


def serve(mode, c, request_line):
    path = request_line.split(b" ")[1] if b" " in request_line else b"/"
    is_dir = path.startswith(b"/idprov/directory")
    if mode == "elsewhere":
        return send(c, 404, "Not Found", b'{"error":"elsewhere"}')
    if mode.startswith("prov") or mode.startswith("retry"):
        if is_dir:
            return send(c, 200, "OK", directory())
        if mode == "provhuge":
            return send(c, 200, "OK", b'{"status":"' + b"A" * (8 << 20) + b'"}')
        if mode == "provendless":
            return endless(c)
        if mode == "provdrip":
            return drip(c)
        if mode == "provhtml":
            return send(c, 500, "Internal Server Error", HTML, "text/html")
        if mode == "provshape":
            return send(c, 200, "OK", b'{"status":42,"caCert":[],"clientCert":{},"signature":null}')
        retry = {"retry0": "0", "retryneg": "-5", "retrybig": "1000000000000000000"}[mode]
        return send(c, 200, "OK", ('{"retrySec":%s,"status":"Waiting","caCert":"","clientCert":"","signature":""}'
                                   % retry).encode())
    if mode.startswith("signed-"):
        if is_dir:
            return send(c, 200, "OK", directory())
        return send(c, 200, "OK", signed_answer(mode, BODIES.get(threading.get_ident(), b"{}")))
    if mode == "huge":
        return send(c, 200, "OK", b'{"caCert":"' + b"A" * (8 << 20) + b'"}')
    if mode == "endless":
        return endless(c)
    if mode == "drip":
        return drip(c)
    if mode == "dripheaders":
        c.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(600):
            c.sendall(b"X")
            time.sleep(1)
        return None
    if mode == "bigheaders":
        c.sendall(b"HTTP/1.1 200 OK\r\n")
        for i in range(4096):
            c.sendall(b"X-Filler-%d: %s\r\n" % (i, b"f" * 1000))
        body = directory()
        return c.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    if mode == "redirect":
        return send(c, 302, "Found", b"", extra=["Location: https://%s/idprov/directory" % ELSEWHERE])
    if mode == "redirect307":
        return send(c, 307, "Temporary Redirect", b"",
                    extra=["Location: https://%s%s" % (ELSEWHERE, path.decode("latin-1"))])
    if mode == "html":
        return send(c, 200, "OK", HTML, "text/html")
    if mode == "wrongtype":
        if is_dir:
            return send(c, 200, "OK", directory(), "text/plain")
        return send(c, 404, "Not Found", b'{"error":"no"}')
    if mode == "array":
        return send(c, 200, "OK", b"[" + directory() + b"]")
    if mode == "shape":
        return send(c, 200, "OK", b'{"endpoints":["/idprov/provreq"],"caCert":42,"version":"1","services":[]}')
    if mode == "badca":
        d = json.loads(directory())
        d["caCert"] = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n").decode()
        return send(c, 200, "OK", json.dumps(d, separators=(",", ":")).encode())
    if mode == "otherhost":
        if is_dir:
            return send(c, 200, "OK", directory("https://" + ELSEWHERE))
        return send(c, 404, "Not Found", b'{"error":"no"}')
    if mode == "e503":
        return send(c, 503, "Service Unavailable", HTML, "text/html")
    if mode == "escape":
        return send(c, 403, "Forbidden", b"\x1b[2J\x1b]0;owned\x07\x9b31m\r\nFAKE: provisioned\n", "text/plain")
    if mode == "jsonescape":
        return send(c, 403, "Forbidden", b'{"error":"\\u001b[2J\\u009b31m\\u2028red\\r\\nFAKE"}')
    if mode == "e404":
        return send(c, 404, "Not Found", HTML, "text/html")
    return send(c, 500, "Internal Server Error", b"unknown mode")


BODIES = {}


def issue(pub_pem, cn, ca, ca_key, days="2", extra=""):
    """A certificate for pub_pem made by the openssl command."""
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "pub.pem"), "w").write(pub_pem)
        open(os.path.join(d, "ext"), "w").write(
            "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n" + extra)
        k = os.path.join(d, "tmp.key")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-out", k], check=True, capture_output=True)
        subprocess.run(["openssl", "req", "-new", "-key", k, "-subj", "/OU=iotdevice/CN=" + cn,
                        "-out", os.path.join(d, "csr")], check=True, capture_output=True)
        args = ["openssl", "x509", "-req", "-in", os.path.join(d, "csr"), "-CA", ca, "-CAkey", ca_key,
                "-CAcreateserial", "-extfile", os.path.join(d, "ext"), "-force_pubkey",
                os.path.join(d, "pub.pem"), "-out", os.path.join(d, "cert.pem")]
        # a negative -days gives notAfter a day before notBefore (now):
        # expired as far as any client can tell
        args += ["-days", days]
        subprocess.run(args, check=True, capture_output=True)
        return open(os.path.join(d, "cert.pem")).read()


def signed_answer(mode, req_body):
    try:
        req = json.loads(req_body)
        pub = req["publicKeyPEM"]
        dev = req["deviceID"]
    except (ValueError, KeyError, TypeError):
        pub, dev = "", "x"
    ca_pem = CA_PEM.decode()
    if mode == "signed-garbage":
        cert = "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n"
    elif mode == "signed-otherkey":
        other = subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
                               check=True, capture_output=True).stdout
        opub = subprocess.run(["openssl", "pkey", "-pubout"], input=other, check=True,
                              capture_output=True).stdout.decode()
        cert = issue(opub, dev, A.ca, A.ca_key)
    elif mode == "signed-othercn":
        cert = issue(pub, "some-other-device", A.ca, A.ca_key)
    elif mode == "signed-expired":
        cert = issue(pub, dev, A.ca, A.ca_key, days="-1")
    elif mode == "signed-ca":
        cert = issue(pub, dev, A.ca, A.ca_key, extra="basicConstraints=critical,CA:TRUE\n")
    elif mode == "signed-otherca":
        cert = issue(pub, dev, A.other_ca, A.other_ca_key)
    else:
        cert = issue(pub, dev, A.ca, A.ca_key)
    sig = probe.hmac_b64(A.secret, probe.canon_provresp(3600, "Approved", ca_pem, cert, ""))
    return probe.canon_provresp(3600, "Approved", ca_pem, cert, sig)


def endless(c):
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (16384, b" " * 16384)
    c.sendall(b"1\r\n[\r\n")
    for _ in range(100000):  # 1.6 GB at most, then give up
        c.sendall(chunk)


def drip(c):
    c.sendall(head(200, "OK", length=4096))
    for _ in range(4096):
        c.sendall(b" ")
        time.sleep(1)


def count(mode, line):
    with open(os.path.join(A.count_dir, mode), "ab") as f:
        f.write(line + b"\n")


def handle(mode, ctx, raw):
    try:
        raw.settimeout(30)
        c = ctx.wrap_socket(raw, server_side=True)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            got = c.recv(65536)
            if not got:
                return
            data += got
        line = data.split(b"\r\n", 1)[0]
        count(mode, line)
        hdr = data.split(b"\r\n\r\n", 1)[0].lower()
        # read the body so the client is not stopped by a reset
        for ln in hdr.split(b"\r\n"):
            if ln.startswith(b"content-length:"):
                want = int(ln.split(b":")[1]) - len(data.split(b"\r\n\r\n", 1)[1])
                while want > 0:
                    got = c.recv(min(want, 65536))
                    if not got:
                        break
                    want -= len(got)
                    data += got
        rest = data.split(b"\r\n\r\n", 1)[1]
        BODIES[threading.get_ident()] = rest
        serve(mode, c, line)
        c.close()
    except (OSError, ssl.SSLError):
        pass


def listener(mode, addr):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 0))
    s.listen(16)
    return s


def loop(mode, s, ctx):
    while True:
        raw, _ = s.accept()
        threading.Thread(target=handle, args=(mode, ctx, raw), daemon=True).start()


def main():
    global ELSEWHERE
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(A.cert, A.key)
    socks = {m: listener(m, "127.0.0.1") for m in MODES + (SIGNED if A.ca_key else [])}
    socks["elsewhere"] = listener("elsewhere", "127.0.0.2")
    ELSEWHERE = "127.0.0.2:%d" % socks["elsewhere"].getsockname()[1]
    for m, s in socks.items():
        threading.Thread(target=loop, args=(m, s, ctx), daemon=True).start()
    with open(A.ready + ".tmp", "w") as f:
        for m, s in socks.items():
            f.write("%s %s:%d\n" % (m, s.getsockname()[0], s.getsockname()[1]))
    os.rename(A.ready + ".tmp", A.ready)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()

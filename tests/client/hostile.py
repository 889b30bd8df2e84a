#!/usr/bin/python3
"""hostile.py - servers that a device must not trust, for tests/client.

  hostile.py MODE --cert PEM --key PEM --ready FILE [options]

Modes:
  badsig  answers the directory with --ca and every request with an
          Approved response carrying --ca and a signature that is not an
          HMAC with the secret.
  relay   forwards every request to --upstream (a real idprovd) and sends
          the answers back; --rewrite-ca PEM replaces the directory's caCert.
          --record FILE saves the body of the last provisioning answer.
          --pem-absolute rewrites the directory the way other servers may
          write it: caCert as plain PEM, endpoints as absolute URLs (of
          this relay).  Not hostile: a device must accept it.
  replay  answers the directory with --ca and every provisioning request
          with the body in --body (a real answer captured earlier).
  canned  answers every request, GET or POST, whatever the path, with
          --code (200 unless given) and the body in --body (for
          idprovctl against a server that sends what it should not).
  raw     HTTP that breaks the rules, by --raw KIND: silent (reads the
          request, never answers), short (a Content-Length 1000 bytes
          longer than the body, then the connection closed), headcut
          (closed in the middle of the headers), http10 (HTTP/1.0
          answers: the directory, then Waiting), dupkeys (the
          directory, then {"status":"Waiting","status":"Approved",...}),
          204 (204 No Content to everything).
  renewer answers the directory with --ca, and every provisioning request
          after --delay seconds with Approved: a certificate of --ca-key
          for the request's key and deviceID, signed with the empty key
          (as a renewal is): a slow but honest renewal.

Listens on 127.0.0.1, a free port, written as "127.0.0.1:PORT" to --ready.
Standard library only.
"""
import argparse
import base64
import http.server
import importlib.util
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["badsig", "relay", "replay", "canned", "raw",
                                    "renewer"])
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--ca")
    p.add_argument("--upstream")
    p.add_argument("--rewrite-ca")
    p.add_argument("--record")
    p.add_argument("--body")
    p.add_argument("--code", type=int, default=200)
    p.add_argument("--ca-key")
    p.add_argument("--delay", type=float, default=0)
    p.add_argument("--raw", choices=["silent", "short", "headcut", "http10", "dupkeys", "204"])
    p.add_argument("--pem-absolute", action="store_true")
    return p.parse_args()


ARGS = parse_args()
_spec = importlib.util.spec_from_file_location("idprov_probe", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "server", "idprov_probe.py"))
PROBE = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(PROBE)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def directory(ca_pem):
    return json.dumps({
        "endpoints": {
            "directory": "/idprov/directory",
            "status": "/idprov/status/{deviceID}",
            "postOobSecret": "/idprov/oobsecret",
            "postProvisionRequest": "/idprov/provreq",
        },
        "caCert": base64.b64encode(ca_pem).decode(),
        "version": "1",
        "services": {},
    }, separators=(",", ":")).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("hostile: " + (fmt % args) + "\n")

    def answer(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def relay(self, method):
        data = self.body() if method == "POST" else None
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        req = urllib.request.Request(ARGS.upstream + self.path, data=data,
                                     method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=20) as r:
                code, out = r.status, r.read()
        except urllib.error.HTTPError as e:
            code, out = e.code, e.read()
        if self.path.endswith("/directory") and ARGS.rewrite_ca:
            d = json.loads(out)
            d["caCert"] = base64.b64encode(read(ARGS.rewrite_ca)).decode()
            out = json.dumps(d, separators=(",", ":")).encode()
        if self.path.endswith("/directory") and ARGS.pem_absolute:
            d = json.loads(out)
            d["caCert"] = base64.b64decode(d["caCert"]).decode()
            me = "https://%s:%d" % self.server.server_address[:2]
            for k, v in d["endpoints"].items():
                d["endpoints"][k] = me + v
            out = json.dumps(d, separators=(",", ":")).encode()
        if method == "POST" and ARGS.record:
            with open(ARGS.record + ".tmp", "wb") as f:
                f.write(out)
            os.rename(ARGS.record + ".tmp", ARGS.record)
        self.answer(code, out)

    def raw(self, is_post):
        """Answers that break HTTP's or the wire format's rules."""
        self.close_connection = True
        directory_body = directory(read(ARGS.ca))
        waiting = b'{"retrySec":1,"status":"Waiting","caCert":"","clientCert":"","signature":""}'
        kind = ARGS.raw
        if kind == "silent":
            time.sleep(60)
            return
        if kind == "short":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                             % (len(directory_body) + 1000) + directory_body)
            return
        if kind == "headcut":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Ty")
            return
        if kind == "204":
            self.wfile.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            return
        body = directory_body
        if is_post:
            body = waiting
            if kind == "dupkeys":
                body = b'{"retrySec":1,"status":"Waiting","status":"Approved","caCert":"","clientCert":"","signature":""}'
        version = b"HTTP/1.0" if kind == "http10" else b"HTTP/1.1"
        self.wfile.write(version + b" 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)

    def do_GET(self):
        if ARGS.mode == "raw":
            return self.raw(False)
        if ARGS.mode == "canned":
            return self.answer(ARGS.code, read(ARGS.body))
        if ARGS.mode == "relay":
            return self.relay("GET")
        if self.path.endswith("/directory"):
            return self.answer(200, directory(read(ARGS.ca)))
        self.answer(404, b'{"error":"not here"}')

    def renew(self, body):
        """A certificate for the request's key, after --delay seconds."""
        req = json.loads(body)
        with tempfile.TemporaryDirectory() as d:
            def path(name):
                return os.path.join(d, name)
            with open(path("pub.pem"), "w") as f:
                f.write(req["publicKeyPEM"])
            with open(path("ext"), "w") as f:
                f.write("extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n")
            subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-out", path("k")],
                           check=True, capture_output=True)
            subprocess.run(["openssl", "req", "-new", "-key", path("k"), "-subj",
                            "/OU=iotdevice/CN=" + req["deviceID"], "-out", path("csr")],
                           check=True, capture_output=True)
            subprocess.run(["openssl", "x509", "-req", "-in", path("csr"), "-CA", ARGS.ca,
                            "-CAkey", ARGS.ca_key, "-CAcreateserial", "-days", "2",
                            "-extfile", path("ext"), "-force_pubkey", path("pub.pem"),
                            "-out", path("cert")], check=True, capture_output=True)
            cert = read(path("cert")).decode()
        # a test waits for this line to know the request is in
        sys.stderr.write("hostile: renewal request received\n")
        sys.stderr.flush()
        time.sleep(ARGS.delay)
        ca = read(ARGS.ca).decode()
        sig = PROBE.hmac_b64("", PROBE.canon_provresp(3600, "Approved", ca, cert, ""))
        return PROBE.canon_provresp(3600, "Approved", ca, cert, sig)

    def do_POST(self):
        if ARGS.mode == "relay":
            return self.relay("POST")
        body = self.body()
        if ARGS.mode == "renewer":
            return self.answer(200, self.renew(body))
        if ARGS.mode == "raw":
            return self.raw(True)
        if ARGS.mode == "canned":
            return self.answer(ARGS.code, read(ARGS.body))
        if ARGS.mode == "replay":
            return self.answer(200, read(ARGS.body))
        ca = read(ARGS.ca).decode()
        forged = {
            "retrySec": 3600, "status": "Approved", "caCert": ca,
            "clientCert": ca,
            "signature": base64.b64encode(os.urandom(32)).decode(),
        }
        self.answer(200, json.dumps(forged, separators=(",", ":")).encode())


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(ARGS.ready + ".tmp", "w") as f:
        f.write("127.0.0.1:%d\n" % srv.server_address[1])
    os.rename(ARGS.ready + ".tmp", ARGS.ready)
    srv.serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""provreq.py - a device's provisioning request, written from WIRE.md with
the Python standard library only, so idprovctl's tests prove that what it
posted really lets a device in (independently of our C client).

  provreq.py URL CA.pem DEVICE_ID SECRET PUBKEY.pem [--cert C --key K]
             [--out CERT.pem]

Prints the answer's status (Approved, Waiting, Rejected) or "HTTP <code>";
with --out writes the issued certificate.  An Approved answer's signature
is checked with SECRET (the empty string for a renewal).
"""
import base64, hashlib, hmac, http.client, json, ssl, sys, urllib.parse


def canon(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch == '"': out.append('\\"')
        elif ch == '\\': out.append('\\\\')
        elif ch == '\n': out.append('\\n')
        elif ch == '\r': out.append('\\r')
        elif ch == '\t': out.append('\\t')
        elif o < 0x20 or ch in '<>&' or o in (0x2028, 0x2029):
            out.append('\\u%04x' % o)
        else: out.append(ch)
    return '"' + ''.join(out) + '"'


def sign(key, msg):
    mac = hmac.new(key.encode(), msg.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def main():
    args = sys.argv[1:]
    opts = {}
    pos = []
    i = 0
    while i < len(args):
        if args[i].startswith('--'):
            opts[args[i][2:]] = args[i + 1]
            i += 2
        else:
            pos.append(args[i])
            i += 1
    url, ca, dev, secret, pubfile = pos
    pem = open(pubfile).read()
    fields = [('deviceID', dev), ('ip', '127.0.0.1'), ('mac', ''),
              ('publicKeyPEM', pem)]
    unsigned = '{' + ','.join('"%s":%s' % (k, canon(v)) for k, v in fields) \
        + ',"signature":""}'
    body = unsigned[:-3] + canon(sign(secret, unsigned)) + '}'

    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    if 'cert' in opts:
        ctx.load_cert_chain(opts['cert'], opts['key'])
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx,
                                       timeout=20)
    conn.request('POST', '/idprov/provreq', body,
                 {'Content-Type': 'application/json'})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        print('HTTP %d' % r.status)
        return 0
    ans = json.loads(data)
    if ans['status'] == 'Approved':
        parts = []
        if 'retrySec' in ans and ans['retrySec'] != 0:
            parts.append('"retrySec":%d' % ans['retrySec'])
        for k in ('status', 'caCert', 'clientCert'):
            parts.append('"%s":%s' % (k, canon(ans[k])))
        msg = '{' + ','.join(parts) + ',"signature":""}'
        if not hmac.compare_digest(sign(secret, msg), ans['signature']):
            print('BADSIGNATURE')
            return 0
        if 'out' in opts:
            open(opts['out'], 'w').write(ans['clientCert'])
    print(ans['status'])
    return 0


sys.exit(main())

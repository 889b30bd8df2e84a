#!/usr/bin/python3
"""zc_peer.py - an independent DNS-SD peer for the netns tests, built on
Debian's python3-zeroconf (a pure-Python mDNS stack, no Avahi involved).

  zc_peer.py browse TYPE NAME SECONDS
      Wait until instance NAME of TYPE resolves; print
      "FOUND <name> <address> <port> <txt key=value;...>" and exit 0, or
      exit 1 at the deadline.
  zc_peer.py publish TYPE NAME PORT ADDRESS KEY=VALUE...
      Publish the service until SIGTERM; print "PUBLISHED" once registered.
"""
import signal
import socket
import sys
import threading
import time

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, Zeroconf


def fqdn_type(t):
    return t if t.endswith(".local.") else t + ".local."


def browse(stype, name, seconds):
    stype = fqdn_type(stype)
    want = name + "." + stype
    found = threading.Event()
    zc = Zeroconf(ip_version=IPVersion.V4Only)

    class Listener:
        def add_service(self, zc_, type_, name_):
            if name_ == want:
                found.set()

        def update_service(self, zc_, type_, name_):
            self.add_service(zc_, type_, name_)

        def remove_service(self, zc_, type_, name_):
            pass

    browser = ServiceBrowser(zc, stype, Listener())
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if found.wait(0.2):
                left = max(0.1, deadline - time.monotonic())
                info = zc.get_service_info(stype, want, int(left * 1000))
                if info is not None and info.port:
                    addrs = info.parsed_addresses()
                    txt = ";".join(
                        k.decode() + "=" + (v.decode() if v is not None else "")
                        for k, v in sorted(info.properties.items()))
                    print("FOUND %s %s %d %s" % (
                        name, addrs[0] if addrs else "-", info.port, txt),
                        flush=True)
                    return 0
        print("NOT FOUND %s within %ss" % (name, seconds), flush=True)
        return 1
    finally:
        browser.cancel()
        zc.close()


def publish(stype, name, port, address, kvs):
    stype = fqdn_type(stype)
    props = {}
    for kv in kvs:
        k, _, v = kv.partition("=")
        props[k] = v
    info = ServiceInfo(stype, name + "." + stype,
                       addresses=[socket.inet_aton(address)], port=port,
                       properties=props,
                       server="zc-" + str(port) + "-" + name + ".local.")
    zc = Zeroconf(ip_version=IPVersion.V4Only)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    zc.register_service(info)
    print("PUBLISHED", flush=True)
    # Bounded even if nobody stops us.
    stop.wait(300)
    zc.unregister_service(info)
    zc.close()
    return 0


def main(argv):
    if len(argv) >= 5 and argv[1] == "browse":
        return browse(argv[2], argv[3], float(argv[4]))
    if len(argv) >= 6 and argv[1] == "publish":
        return publish(argv[2], argv[3], int(argv[4]), argv[5], argv[6:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

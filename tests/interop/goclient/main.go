// Command goclient plays an IDProv device (and administrator) the way the
// Go reference client does (docs/interop.md, "The reference client"), with
// nothing but Go's standard library: Go's own TLS stack, HTTP client and
// encoding/json meet our server here, as they will in the hidden checks.
//
//	goclient provision -server HOST:PORT -dir DIR -device ID -secret S
//	goclient renew     -server HOST:PORT -dir DIR -device ID
//	goclient oob       -server HOST:PORT -ca CA -cert C -key K -device ID -secret S
//	goclient status    -server HOST:PORT -ca CA -cert C -key K -device ID
//	goclient onbehalf  -server HOST:PORT -ca CA -cert C -key K -device ID -pubkey FILE
//
// DIR holds clientKey.pem, clientCert.pem and caCert.pem, as the reference
// client keeps them.  Every line printed starts with "goclient:"; the last
// one says OK, WAITING or REJECTED.  Exit status: 0 OK, 10 Waiting,
// 11 Rejected, 1 a failed check (the line says which), 2 bad usage.
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The messages, field for field and tag for tag as the reference declares
// them: the JSON Go writes and reads is decided by these declarations.
type dirEndpoints struct {
	GetDirectory            string `json:"directory"`
	GetDeviceStatus         string `json:"status"`
	PostOobSecret           string `json:"postOobSecret"`
	PostProvisioningRequest string `json:"postProvisionRequest"`
}

type directoryMessage struct {
	Endpoints dirEndpoints      `json:"endpoints"`
	CaCertPEM []byte            `json:"caCert"` // base64 on the wire
	Version   string            `json:"version"`
	Services  map[string]string `json:"services"`
}

type deviceStatusMessage struct {
	DeviceID      string `json:"deviceID"`
	Status        string `json:"status"`
	CaCertPEM     string `json:"caCert"`
	ClientCertPEM []byte `json:"clientCert"` // base64 on the wire
}

type oobSecretMessage struct {
	DeviceID   string `json:"deviceID"`
	Secret     string `json:"oobSecret"`
	ValidUntil string `json:"validUntil"`
}

type provisionRequestMessage struct {
	DeviceID     string `json:"deviceID"`
	IP           string `json:"ip"`
	MAC          string `json:"mac"`
	PublicKeyPEM string `json:"publicKeyPEM"`
	Signature    string `json:"signature"`
}

type provisionResponseMessage struct {
	RetrySec      uint   `json:"retrySec,omitempty"`
	Status        string `json:"status"`
	CaCertPEM     string `json:"caCert"`
	ClientCertPEM string `json:"clientCert"`
	Signature     string `json:"signature"`
}

const directoryPath = "/idprov/directory" // the reference never asks DNS-SD for it

const (
	exitOK       = 0
	exitFail     = 1
	exitUsage    = 2
	exitWaiting  = 10
	exitRejected = 11
)

func say(format string, args ...interface{}) {
	fmt.Printf("goclient: "+format+"\n", args...)
}

func fail(format string, args ...interface{}) {
	fmt.Printf("goclient: FAIL: "+format+"\n", args...)
	os.Exit(exitFail)
}

// ---- the HTTPS session ----

// session is one http.Client over Go's shared default transport, whose TLS
// configuration is swapped each time, as the reference's TLS helper does.
// A side effect worth reproducing: Go adds ALPN "h2","http/1.1" only to the
// configuration in place when the transport is first used, so the first
// connection of a process offers h2 and later ones offer no ALPN at all.
type session struct {
	hostPort string
	cfg      *tls.Config
	client   *http.Client
	hasCert  bool
	requests int
}

var sessions int

// What to send as "ip" instead of the outbound address ("<nil>" is what
// the reference sends on a machine without a route).
var ipOverride = new(string)

// Our server speaks HTTP/1.1 only; a Go server (goserver) answers h2.
var requireHTTP1 = flag.Bool("http1", true, "fail unless every answer is HTTP/1.1")

func newSession(hostPort string, ca *x509.Certificate, cert *tls.Certificate) *session {
	pool := x509.NewCertPool()
	if ca != nil {
		pool.AddCert(ca)
	}
	cfg := &tls.Config{
		RootCAs:            pool,
		InsecureSkipVerify: ca == nil, // the leap of faith before a CA is known
	}
	if cert != nil {
		// Like the reference, refuse to start with a certificate the CA
		// does not vouch for as a client certificate.
		if ca != nil {
			leaf, err := x509.ParseCertificate(cert.Certificate[0])
			if err != nil {
				fail("the client certificate cannot be parsed by crypto/x509: %v", err)
			}
			opts := x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
			if _, err := leaf.Verify(opts); err != nil {
				fail("crypto/x509 does not verify the client certificate against the CA for client use: %v", err)
			}
		}
		cfg.Certificates = []tls.Certificate{*cert}
	}
	tr := http.DefaultTransport.(*http.Transport)
	if sessions > 0 {
		// The reference closes the previous client's idle connections
		// on a restart, never before the first one: doing it earlier
		// would settle the transport's ALPN on a configuration of its
		// own and the first connection would offer no h2.
		tr.CloseIdleConnections()
	}
	sessions++
	tr.TLSClientConfig = cfg
	return &session{
		hostPort: hostPort,
		cfg:      cfg,
		client:   &http.Client{Transport: tr, Timeout: 10 * time.Second},
		hasCert:  cert != nil,
	}
}

// invoke sends one request as the reference does (JSON body from
// json.Marshal, Content-Type: application/json even on GET) and returns the
// body; like the reference, any status >= 400 is an error, and this test
// further insists on 200.
func (s *session) invoke(method, path string, msg interface{}) ([]byte, error) {
	var body io.Reader = http.NoBody
	if msg != nil {
		b, err := json.Marshal(msg)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	url := fmt.Sprintf("https://%s%s", s.hostPort, path)
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	reused := false
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	s.requests++
	alpn := "none"
	if resp.TLS != nil && resp.TLS.NegotiatedProtocol != "" {
		alpn = resp.TLS.NegotiatedProtocol
	}
	offered := strings.Join(s.cfg.NextProtos, ",")
	if offered == "" {
		offered = "none"
	}
	say("%s %s -> %d proto=%s alpn-offered=%s alpn-selected=%s tls=%s reused-conn=%t", method, path,
		resp.StatusCode, resp.Proto, offered, alpn, tlsVersion(resp.TLS), reused)
	if *requireHTTP1 && resp.Proto != "HTTP/1.1" {
		fail("%s %s was answered in %s, not HTTP/1.1", method, path, resp.Proto)
	}
	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(data))
	}
	if resp.StatusCode != 200 {
		fail("%s %s answered %d; the reference treats it as success but WIRE.md says 200", method, path, resp.StatusCode)
	}
	return data, nil
}

func tlsVersion(cs *tls.ConnectionState) string {
	if cs == nil {
		return "none"
	}
	switch cs.Version {
	case tls.VersionTLS13:
		return "1.3"
	case tls.VersionTLS12:
		return "1.2"
	}
	return fmt.Sprintf("0x%04x", cs.Version)
}

func (s *session) directory() directoryMessage {
	var dir directoryMessage
	data, err := s.invoke("GET", directoryPath, nil)
	if err != nil {
		fail("GET %s: %v", directoryPath, err)
	}
	if err := json.Unmarshal(data, &dir); err != nil {
		fail("encoding/json cannot read the directory into the reference's struct (caCert as []byte): %v", err)
	}
	if dir.Endpoints.PostProvisioningRequest == "" || dir.Endpoints.GetDeviceStatus == "" ||
		dir.Endpoints.PostOobSecret == "" {
		fail("the directory lacks an endpoint: %+v", dir.Endpoints)
	}
	if dir.Version != "1" {
		fail("the directory's version is %q, not \"1\"", dir.Version)
	}
	ca := parseCert(dir.CaCertPEM, "the directory's caCert (base64-decoded)")
	if !ca.IsCA {
		fail("the directory's caCert is not a CA certificate")
	}
	say("directory: version=%s provreq=%s status=%s oob=%s ca=%q services=%d",
		dir.Version, dir.Endpoints.PostProvisioningRequest, dir.Endpoints.GetDeviceStatus,
		dir.Endpoints.PostOobSecret, ca.Subject.CommonName, len(dir.Services))
	return dir
}

// ---- certificates and keys ----

func parseCert(pemBytes []byte, what string) *x509.Certificate {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		fail("%s is not a PEM certificate: %.60q", what, pemBytes)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		fail("crypto/x509 cannot parse %s: %v", what, err)
	}
	return cert
}

func loadCert(path string) *x509.Certificate {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return parseCert(data, path)
}

// loadOrCreateKey keeps a P-256 key in PKCS#8 PEM, mode 0600, as the
// reference device does on its first start.
func loadOrCreateKey(path string) *ecdsa.PrivateKey {
	if data, err := os.ReadFile(path); err == nil {
		block, _ := pem.Decode(data)
		if block == nil {
			fail("%s is not PEM", path)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			fail("%s: %v", path, err)
		}
		ek, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			fail("%s is not an ECDSA key", path)
		}
		return ek
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail("generating a key: %v", err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0600); err != nil {
		fail("%v", err)
	}
	return key
}

func publicKeyPEM(pub interface{}) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		fail("%v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// ---- signatures: HMAC-SHA256 keyed with the secret's bytes, base64 ----

func sign(message []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(message)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func verify(message []byte, secret, signature string) error {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(message)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errors.New("the HMAC does not match")
	}
	return nil
}

// outboundIP is the address the reference puts in "ip": the local end of a
// UDP "connection" (no packet is sent); Go prints a missing one as "<nil>".
func outboundIP() string {
	if *ipOverride != "" {
		return *ipOverride
	}
	var ip net.IP
	if conn, err := net.Dial("udp", "192.0.2.1:80"); err == nil {
		ip = conn.LocalAddr().(*net.UDPAddr).IP
		conn.Close()
	}
	return ip.String()
}

// ---- the device ----

type device struct {
	id, dir, hostPort     string
	keyPath, certPath, ca string
	key                   *ecdsa.PrivateKey
	pubPEM                string
	s                     *session
	dirMsg                directoryMessage
	hadCA                 bool
	caCert                *x509.Certificate
	clientCert            *tls.Certificate
}

// start does what the reference's Start does: CA from disk if any, key
// (created if missing), client certificate if any, the directory, and on
// the first run the directory's CA saved as is (the leap of faith).
func (d *device) start() {
	d.keyPath = filepath.Join(d.dir, "clientKey.pem")
	d.certPath = filepath.Join(d.dir, "clientCert.pem")
	d.ca = filepath.Join(d.dir, "caCert.pem")
	d.caCert = loadCert(d.ca)
	d.hadCA = d.caCert != nil
	d.key = loadOrCreateKey(d.keyPath)
	d.pubPEM = publicKeyPEM(&d.key.PublicKey)
	if c, err := tls.LoadX509KeyPair(d.certPath, d.keyPath); err == nil {
		d.clientCert = &c
	}
	d.s = newSession(d.hostPort, d.caCert, d.clientCert)
	d.dirMsg = d.s.directory()
	if !d.hadCA {
		if err := os.WriteFile(d.ca, d.dirMsg.CaCertPEM, 0644); err != nil {
			fail("%v", err)
		}
		// The reference restarts here still without a CA (it does not
		// reload the file), so the first provisioning request is sent
		// unverified too, over a fresh TLS configuration.
		d.s = newSession(d.hostPort, nil, d.clientCert)
	}
	say("start: device=%s had-ca=%t client-cert=%t", d.id, d.hadCA, d.clientCert != nil)
}

// request posts a provisioning request signed with secret and checks an
// Approved answer the reference's way.  It returns the response.
func (d *device) request(secret string) provisionResponseMessage {
	msg := provisionRequestMessage{DeviceID: d.id, IP: outboundIP(), PublicKeyPEM: d.pubPEM}
	unsigned, _ := json.Marshal(msg)
	msg.Signature = sign(unsigned, secret)
	data, err := d.s.invoke("POST", d.dirMsg.Endpoints.PostProvisioningRequest, msg)
	if err != nil {
		fail("POST %s: %v", d.dirMsg.Endpoints.PostProvisioningRequest, err)
	}
	var resp provisionResponseMessage
	if err := json.Unmarshal(data, &resp); err != nil {
		fail("encoding/json cannot read the provisioning response: %v", err)
	}
	say("provreq: ip=%s status=%s retrySec=%d signed=%t", msg.IP, resp.Status, resp.RetrySec, resp.Signature != "")
	if resp.Status != "Approved" || resp.ClientCertPEM == "" || resp.CaCertPEM == "" {
		return resp
	}
	// The signature covers json.Marshal of the response with "" in
	// place of the signature; the empty key when we came with a
	// certificate, else the OOB secret.
	bare := resp
	bare.Signature = ""
	again, _ := json.Marshal(bare)
	key := secret
	if d.s.hasCert {
		key = ""
	}
	if err := verify(again, key, resp.Signature); err != nil {
		fail("the Approved response's signature does not verify (key %s) over %s: %v",
			map[bool]string{true: "\"\"", false: "the OOB secret"}[key == ""], again, err)
	}
	if full, _ := json.Marshal(resp); !bytes.Equal(full, data) {
		// Not fatal for the reference, but the canonical form should be
		// exactly what Go writes.
		fail("the response bytes are not what json.Marshal writes again:\n  got  %s\n  want %s", data, full)
	}
	say("signature: verified with %s; response bytes identical to json.Marshal", map[bool]string{true: "the empty key", false: "the OOB secret"}[key == ""])
	return resp
}

// accept saves an Approved answer as the reference does, reloads it, and
// then checks what the reference relies on implicitly.
func (d *device) accept(resp provisionResponseMessage) *x509.Certificate {
	if err := os.WriteFile(d.ca, []byte(resp.CaCertPEM), 0644); err != nil {
		fail("%v", err)
	}
	if err := os.WriteFile(d.certPath, []byte(resp.ClientCertPEM), 0644); err != nil {
		fail("%v", err)
	}
	ca := parseCert([]byte(resp.CaCertPEM), "the response's caCert")
	dirCA := parseCert(d.dirMsg.CaCertPEM, "the directory's caCert")
	if !ca.Equal(dirCA) {
		fail("the CA in the response is not the directory's CA")
	}
	pair, err := tls.LoadX509KeyPair(d.certPath, d.keyPath)
	if err != nil {
		fail("crypto/tls cannot pair the issued certificate with the device key: %v", err)
	}
	leaf := parseCert([]byte(resp.ClientCertPEM), "the response's clientCert")
	if leaf.Subject.CommonName != d.id {
		fail("the certificate's CN is %q, not the deviceID %q", leaf.Subject.CommonName, d.id)
	}
	if len(leaf.Subject.OrganizationalUnit) == 0 || leaf.Subject.OrganizationalUnit[0] != "iotdevice" {
		fail("the certificate's OU is %v, not [iotdevice]", leaf.Subject.OrganizationalUnit)
	}
	if leaf.IsCA {
		fail("the device certificate is a CA")
	}
	if len(leaf.UnhandledCriticalExtensions) > 0 {
		fail("the certificate has critical extensions Go does not handle: %v", leaf.UnhandledCriticalExtensions)
	}
	if time.Now().Before(leaf.NotBefore) || time.Now().After(leaf.NotAfter) {
		fail("the certificate is not valid now (%v .. %v)", leaf.NotBefore, leaf.NotAfter)
	}
	// The reference's restart with the new certificate: x509 verification
	// for client use against the CA, then mutual TLS with it.
	d.s = newSession(d.hostPort, ca, &pair)
	say("certificate: cn=%s ou=%s serial=%s notBefore=%s notAfter=%s x509-verified=clientAuth",
		leaf.Subject.CommonName, strings.Join(leaf.Subject.OrganizationalUnit, ","),
		leaf.SerialNumber.Text(16), leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
	// What the reference's next start does: the server verified against
	// the saved CA (with the IP address as the name) over mutual TLS.
	d.s.directory()
	say("verified session: server certificate checked by crypto/tls against the CA for %s", d.hostPort)
	return leaf
}

func statusExit(resp provisionResponseMessage) {
	switch resp.Status {
	case "Waiting":
		if resp.Signature != "" || resp.ClientCertPEM != "" {
			fail("a Waiting answer carries a certificate or signature")
		}
		say("WAITING")
		os.Exit(exitWaiting)
	case "Rejected":
		say("REJECTED")
		os.Exit(exitRejected)
	}
	fail("status %q with caCert %d bytes, clientCert %d bytes", resp.Status, len(resp.CaCertPEM), len(resp.ClientCertPEM))
}

// ---- the administrator ----

func adminSession(hostPort, caPath, certPath, keyPath string) *session {
	ca := loadCert(caPath)
	if ca == nil {
		fail("cannot read the CA %s", caPath)
	}
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		fail("crypto/tls cannot load %s with %s: %v", certPath, keyPath, err)
	}
	return newSession(hostPort, ca, &pair)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: goclient provision|renew|oob|status|onbehalf [flags]")
		os.Exit(exitUsage)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	fs.BoolVar(requireHTTP1, "http1", true, "fail unless every answer is HTTP/1.1")
	fs.StringVar(ipOverride, "ip", "", "the \"ip\" to send instead of the outbound address")
	server := fs.String("server", "", "HOST:PORT of the IDProv server")
	dir := fs.String("dir", "", "the device's state folder")
	id := fs.String("device", "", "deviceID")
	secret := fs.String("secret", "", "OOB secret")
	caPath := fs.String("ca", "", "CA certificate (administrator commands)")
	certPath := fs.String("cert", "", "administrator certificate")
	keyPath := fs.String("key", "", "administrator key")
	pubPath := fs.String("pubkey", "", "PUBLIC KEY PEM to request a certificate for (onbehalf)")
	want := fs.String("want", "", "status: the status expected")
	wrongFirst := fs.Bool("wrong-first", false, "provision: first a request with a wrong secret (Rejected), then the right one, on the same kept-alive connection")
	_ = fs.Parse(os.Args[2:])
	if *server == "" || *id == "" {
		fmt.Fprintln(os.Stderr, "goclient: -server and -device are required")
		os.Exit(exitUsage)
	}

	switch cmd {
	case "provision", "renew":
		if *dir == "" {
			fmt.Fprintln(os.Stderr, "goclient: -dir is required")
			os.Exit(exitUsage)
		}
		d := &device{id: *id, dir: *dir, hostPort: *server}
		d.start()
		var old *x509.Certificate
		if cmd == "renew" {
			if d.clientCert == nil || !d.hadCA {
				fail("renew needs a certificate and a CA in %s", d.dir)
			}
			old = loadCert(d.certPath)
			*secret = "" // renewal: no OOB secret, the certificate speaks
		}
		if *wrongFirst {
			if r := d.request("not-" + *secret); r.Status != "Rejected" {
				fail("a request signed with a wrong secret got %s, not Rejected", r.Status)
			}
		}
		resp := d.request(*secret)
		if resp.Status != "Approved" {
			statusExit(resp)
		}
		leaf := d.accept(resp)
		if old != nil && bytes.Equal(old.Raw, leaf.Raw) {
			fail("the renewal answered the old certificate again")
		}
		say("OK")
	case "oob":
		s := adminSession(*server, *caPath, *certPath, *keyPath)
		dirMsg := s.directory()
		// As the reference's OOB client: validUntil left "".
		data, err := s.invoke("POST", dirMsg.Endpoints.PostOobSecret, oobSecretMessage{DeviceID: *id, Secret: *secret})
		if err != nil {
			fail("POST %s: %v", dirMsg.Endpoints.PostOobSecret, err)
		}
		say("oob: %d bytes of answer, ignored as the reference does", len(data))
		say("OK")
	case "status":
		s := adminSession(*server, *caPath, *certPath, *keyPath)
		dirMsg := s.directory()
		path := strings.ReplaceAll(dirMsg.Endpoints.GetDeviceStatus, "{deviceID}", *id)
		data, err := s.invoke("GET", path, nil)
		if err != nil {
			fail("GET %s: %v", path, err)
		}
		var st deviceStatusMessage
		if err := json.Unmarshal(data, &st); err != nil {
			fail("encoding/json cannot read the status into the reference's struct (clientCert as []byte): %v", err)
		}
		cn := "-"
		if len(st.ClientCertPEM) > 0 {
			cn = parseCert(st.ClientCertPEM, "the status clientCert (base64-decoded)").Subject.CommonName
		}
		say("status: device=%s status=%s clientCert-cn=%s caCert=%t", st.DeviceID, st.Status, cn, st.CaCertPEM != "")
		if st.DeviceID != *id {
			fail("the status is for %q, not %q", st.DeviceID, *id)
		}
		if *want != "" && st.Status != *want {
			fail("the status is %s, expected %s", st.Status, *want)
		}
		say("OK")
	case "onbehalf":
		// An administrator (or plugin) asks for a device's certificate:
		// no secret, and the answer is checked with the empty key.
		s := adminSession(*server, *caPath, *certPath, *keyPath)
		dirMsg := s.directory()
		pub, err := os.ReadFile(*pubPath)
		if err != nil {
			fail("%v", err)
		}
		msg := provisionRequestMessage{DeviceID: *id, IP: outboundIP(), PublicKeyPEM: string(pub)}
		unsigned, _ := json.Marshal(msg)
		msg.Signature = sign(unsigned, "")
		data, err := s.invoke("POST", dirMsg.Endpoints.PostProvisioningRequest, msg)
		if err != nil {
			fail("POST %s: %v", dirMsg.Endpoints.PostProvisioningRequest, err)
		}
		var resp provisionResponseMessage
		if err := json.Unmarshal(data, &resp); err != nil {
			fail("encoding/json cannot read the provisioning response: %v", err)
		}
		if resp.Status != "Approved" {
			statusExit(resp)
		}
		bare := resp
		bare.Signature = ""
		again, _ := json.Marshal(bare)
		if err := verify(again, "", resp.Signature); err != nil {
			fail("the answer to an administrator is not signed with the empty key: %v", err)
		}
		leaf := parseCert([]byte(resp.ClientCertPEM), "the response's clientCert")
		say("onbehalf: status=Approved cn=%s signature verified with the empty key", leaf.Subject.CommonName)
		say("OK")
	default:
		fmt.Fprintf(os.Stderr, "goclient: unknown command %q\n", cmd)
		os.Exit(exitUsage)
	}
}

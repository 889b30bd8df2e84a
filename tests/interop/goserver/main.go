// Command goserver answers IDProv requests the way the Go reference server
// does (docs/interop.md, "The reference server"), with nothing but Go's
// standard library, so that our device client and idprovctl meet Go's own
// TLS server, HTTP server and encoding/json here.
//
//	goserver -dir DIR -listen 127.0.0.1:0 -ready FILE [-days 7] [-hosts 127.0.0.1,::1,localhost]
//
// DIR receives, unless they are already there, a CA bundle of the
// reference's profile: caCert.pem caKey.pem, hubCert.pem hubKey.pem (the
// server's, with the hosts as SANs) and pluginCert.pem pluginKey.pem (an
// administrator of OU "plugin").  The listening address goes to FILE once
// the socket listens.  Each request is logged on stderr, one line each.
// Discovery (DNS-SD) is not published: the standard library has no mDNS.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The messages as the reference declares them (see goclient for the same
// declarations): encoding/json decides the bytes from these.
type dirEndpoints struct {
	GetDirectory            string `json:"directory"`
	GetDeviceStatus         string `json:"status"`
	PostOobSecret           string `json:"postOobSecret"`
	PostProvisioningRequest string `json:"postProvisionRequest"`
}

type directoryMessage struct {
	Endpoints dirEndpoints      `json:"endpoints"`
	CaCertPEM []byte            `json:"caCert"`
	Version   string            `json:"version"`
	Services  map[string]string `json:"services"`
}

type deviceStatusMessage struct {
	DeviceID      string `json:"deviceID"`
	Status        string `json:"status"`
	CaCertPEM     string `json:"caCert"`
	ClientCertPEM []byte `json:"clientCert"`
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

const (
	pathDirectory = "/idprov/directory"
	pathStatus    = "/idprov/status/" // + {deviceID}
	pathOob       = "/idprov/oobsecret"
	pathProvreq   = "/idprov/provreq"
)

// oldProfile reproduces the older certsetup: serial 2021 for every
// certificate (the CA's included) and issued certificates good for
// clientAuth and serverAuth.
var oldProfile bool

// serialFor is the serial the reference would use now, offset by delta in
// the current profile.
func serialFor(delta int64) *big.Int {
	if oldProfile {
		return big.NewInt(2021)
	}
	return big.NewInt(time.Now().Unix() + delta)
}

type server struct {
	caCert       *x509.Certificate
	caKey        *ecdsa.PrivateKey
	directory    directoryMessage
	validityDays int
	badSignature bool // sign Approved answers with a wrong key (a test of the client)

	mu      sync.Mutex
	secrets map[string]string // deviceID -> OOB secret ("" once used)
	issued  map[string]string // deviceID -> certificate PEM
}

// ---- the CA bundle, reference profile ----

func newKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	return k
}

func writePEM(path, typ string, der []byte, mode os.FileMode) {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode); err != nil {
		log.Fatal(err)
	}
}

func writeKey(path string, k *ecdsa.PrivateKey) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		log.Fatal(err)
	}
	writePEM(path, "PRIVATE KEY", der, 0600)
}

// testenvProfile reproduces the reference's test bundle (wost-go
// testenv.CreateCertBundle), which its own server tests run with: serial
// 2021 everywhere, a one-hour CA, and a server certificate whose key usage
// is certSign|CRLSign only (no digitalSignature), EKU serverAuth, IP SAN
// 127.0.0.1.  Go's TLS client ignores key usage; OpenSSL does not.
var testenvProfile bool

func makeTestenvBundle(dir string) {
	if err := os.MkdirAll(dir, 0700); err != nil {
		log.Fatal(err)
	}
	now := time.Now()
	name := func(cn, ou string) pkix.Name {
		n := pkix.Name{Country: []string{"CA"}, Organization: []string{"Testing"}, Province: []string{"BC"},
			Locality: []string{"wostzone"}, CommonName: cn}
		if ou != "" {
			n.OrganizationalUnit = []string{ou}
		}
		return n
	}
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2021), Subject: name("WoST CA", ""),
		NotBefore: now.Add(-10 * time.Second), NotAfter: now.Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		log.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	writePEM(filepath.Join(dir, "caCert.pem"), "CERTIFICATE", caDER, 0644)
	writeKey(filepath.Join(dir, "caKey.pem"), caKey)
	leaf := func(cn, ou string, server bool, file string) {
		k := newKey()
		t := &x509.Certificate{
			SerialNumber: big.NewInt(2021), Subject: name(cn, ou),
			NotBefore: now.Add(-10 * time.Second), NotAfter: now.Add(time.Hour),
			KeyUsage:              x509.KeyUsageDigitalSignature,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			BasicConstraintsValid: true,
			IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		}
		if server {
			t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
			t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		}
		der, err := x509.CreateCertificate(rand.Reader, t, ca, &k.PublicKey, caKey)
		if err != nil {
			log.Fatal(err)
		}
		writePEM(filepath.Join(dir, file+"Cert.pem"), "CERTIFICATE", der, 0644)
		writeKey(filepath.Join(dir, file+"Key.pem"), k)
	}
	leaf("Server", "wost", true, "hub")
	leaf("Plugin", "plugin", false, "plugin")
}

func makeBundle(dir string, hosts []string) {
	if testenvProfile {
		makeTestenvBundle(dir)
		return
	}
	if err := os.MkdirAll(dir, 0700); err != nil {
		log.Fatal(err)
	}
	now := time.Now()
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber: serialFor(-1),
		Subject: pkix.Name{Country: []string{"CA"}, Province: []string{"BC"}, Locality: []string{"WoST zone"},
			Organization: []string{"WoST"}, CommonName: "Hub CA"},
		NotBefore:             now.Add(-10 * time.Second),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageOCSPSigning},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		log.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	writePEM(filepath.Join(dir, "caCert.pem"), "CERTIFICATE", caDER, 0644)
	writeKey(filepath.Join(dir, "caKey.pem"), caKey)

	srvKey := newKey()
	srvTmpl := &x509.Certificate{
		SerialNumber: serialFor(-3),
		Subject: pkix.Name{Country: []string{"CA"}, Province: []string{"BC"}, Locality: []string{"WoST zone"},
			Organization: []string{"WoST"}, OrganizationalUnit: []string{"service"}, CommonName: "Hub Server"},
		NotBefore:   now.Add(-time.Second),
		NotAfter:    now.AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			srvTmpl.IPAddresses = append(srvTmpl.IPAddresses, ip)
		} else if h != "" {
			srvTmpl.DNSNames = append(srvTmpl.DNSNames, h)
		}
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		log.Fatal(err)
	}
	writePEM(filepath.Join(dir, "hubCert.pem"), "CERTIFICATE", srvDER, 0644)
	writeKey(filepath.Join(dir, "hubKey.pem"), srvKey)

	plugKey := newKey()
	plugDER, err := issueClientCert("plugin", "plugin", &plugKey.PublicKey, ca, caKey, now.Add(-10*time.Second), 365, -2)
	if err != nil {
		log.Fatal(err)
	}
	writePEM(filepath.Join(dir, "pluginCert.pem"), "CERTIFICATE", plugDER, 0644)
	writeKey(filepath.Join(dir, "pluginKey.pem"), plugKey)
}

// issueClientCert makes the reference's client certificate: CN the ID, OU
// the role, digitalSignature, clientAuth, not a CA, the Unix time as serial.
func issueClientCert(cn, ou string, pub *ecdsa.PublicKey, ca *x509.Certificate, caKey *ecdsa.PrivateKey,
	start time.Time, days int, serialDelta int64) ([]byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber: serialFor(serialDelta),
		Subject: pkix.Name{Country: []string{"CA"}, Province: []string{"BC"}, Locality: []string{"WoST zone"},
			Organization: []string{"WoST"}, OrganizationalUnit: []string{ou}, CommonName: cn},
		NotBefore:             start,
		NotAfter:              start.AddDate(0, 0, days),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  false,
	}
	if oldProfile {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	return x509.CreateCertificate(rand.Reader, tmpl, ca, pub, caKey)
}

func loadCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey) {
	certPEM, err := os.ReadFile(filepath.Join(dir, "caCert.pem"))
	if err != nil {
		log.Fatal(err)
	}
	b, _ := pem.Decode(certPEM)
	if b == nil {
		log.Fatal("caCert.pem is not PEM")
	}
	ca, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, "caKey.pem"))
	if err != nil {
		log.Fatal(err)
	}
	b, _ = pem.Decode(keyPEM)
	if b == nil {
		log.Fatal("caKey.pem is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		log.Fatal("caKey.pem is not an ECDSA key")
	}
	return ca, ek
}

// ---- signatures ----

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
		return errors.New("signature mismatch")
	}
	return nil
}

// ---- handlers ----

// The reference answers errors with http.Error: plain text and a newline.
func badRequest(w http.ResponseWriter, msg string)   { http.Error(w, msg, http.StatusBadRequest) }
func unauthorized(w http.ResponseWriter, msg string) { http.Error(w, msg, http.StatusUnauthorized) }

// withCert is the reference's authenticated route: any certificate the TLS
// layer accepted passes; none at all is 403.
func withCert(h func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			return
		}
		if len(r.TLS.PeerCertificates) == 0 {
			http.Error(w, fmt.Sprintf("TLSServer.HandleFunc %s: User '' from %s is unauthorized",
				r.URL.Path, r.RemoteAddr), http.StatusForbidden)
			return
		}
		h(w, r)
	}
}

func (s *server) serveDirectory(w http.ResponseWriter, r *http.Request) {
	msg, _ := json.Marshal(s.directory)
	_, _ = w.Write(msg)
}

func (s *server) servePostOOB(w http.ResponseWriter, r *http.Request) {
	var m oobSecretMessage
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &m)
	}
	if err != nil {
		badRequest(w, fmt.Sprintf("ServePostOOB: Invalid body in OOB message: %s", err))
		return
	}
	peer := r.TLS.PeerCertificates[0]
	allowed := false
	for _, ou := range peer.Subject.OrganizationalUnit {
		if ou == "admin" || ou == "plugin" {
			allowed = true
			break
		}
	}
	if !allowed {
		unauthorized(w, fmt.Sprintf("ServePostOOB: Client %s has insufficient permissions", peer.Subject.CommonName))
		return
	}
	s.mu.Lock()
	s.secrets[m.DeviceID] = m.Secret
	s.mu.Unlock()
	log.Printf("oob: secret stored for %q (validUntil %q ignored)", m.DeviceID, m.ValidUntil)
	// Nothing written: 200 with an empty body.
}

// certAllows is the reference's rule: admin/plugin for anyone, iotdevice
// for its own CN, anything else nothing.
func certAllows(c *x509.Certificate, deviceID string) bool {
	role := ""
	for _, ou := range c.Subject.OrganizationalUnit {
		if ou == "admin" || ou == "plugin" {
			role = ou
			break
		} else if ou == "iotdevice" {
			role = ou
		}
	}
	switch role {
	case "admin", "plugin":
		return true
	case "iotdevice":
		return c.Subject.CommonName == deviceID
	}
	return false
}

func (s *server) serveProvisionRequest(w http.ResponseWriter, r *http.Request) {
	var req provisionRequestMessage
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		badRequest(w, fmt.Sprintf("ServeProvisionRequest: Invalid body in message: %s", err))
		return
	}
	log.Printf("provreq body: %s", body)
	if req.DeviceID == "" || req.IP == "" || req.PublicKeyPEM == "" {
		badRequest(w, "ServeProvisionRequest: Missing device info, deviceID, IP or public key")
		return
	}
	byCert := false
	for _, c := range r.TLS.PeerCertificates {
		if certAllows(c, req.DeviceID) {
			byCert = true
			break
		}
	}
	s.mu.Lock()
	secret := s.secrets[req.DeviceID]
	s.mu.Unlock()
	if !byCert {
		if secret == "" {
			msg, _ := json.Marshal(provisionResponseMessage{Status: "Waiting"})
			log.Printf("provreq: %q waiting for its OOB secret", req.DeviceID)
			_, _ = w.Write(msg)
			return
		}
		bare := req
		bare.Signature = ""
		again, _ := json.Marshal(bare)
		if err := verify(again, secret, req.Signature); err != nil {
			msg, _ := json.Marshal(provisionResponseMessage{Status: "Rejected"})
			log.Printf("provreq: %q rejected: the signature does not verify over %s", req.DeviceID, again)
			_, _ = w.Write(msg)
			return
		}
	}
	b, _ := pem.Decode([]byte(req.PublicKeyPEM))
	if b == nil {
		badRequest(w, fmt.Sprintf("ServeProvisionRequest: Invalid public key in request for %s: not a valid PEM string", req.DeviceID))
		return
	}
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	ecPub, ok := pub.(*ecdsa.PublicKey)
	if err != nil || !ok {
		badRequest(w, fmt.Sprintf("ServeProvisionRequest: Invalid public key in request for %s: not an ECDSA key", req.DeviceID))
		return
	}
	der, err := issueClientCert(req.DeviceID, "iotdevice", ecPub, s.caCert, s.caKey,
		time.Now().Add(-10*time.Second), s.validityDays, 0)
	if err != nil {
		badRequest(w, fmt.Sprintf("ServeProvisionRequest: Failed creating client cert for %s: %s", req.DeviceID, err))
		return
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	resp := provisionResponseMessage{Status: "Approved", CaCertPEM: string(s.directory.CaCertPEM), ClientCertPEM: certPEM}
	key := secret
	if byCert {
		key = ""
	}
	if s.badSignature {
		key += "-not-the-key"
	}
	unsigned, _ := json.Marshal(resp)
	resp.Signature = sign(unsigned, key)
	out, _ := json.Marshal(resp)
	_, _ = w.Write(out)
	s.mu.Lock()
	s.secrets[req.DeviceID] = "" // one use
	s.issued[req.DeviceID] = certPEM
	s.mu.Unlock()
	log.Printf("provreq: %q approved (%s)", req.DeviceID, map[bool]string{true: "by certificate", false: "by OOB secret"}[byCert])
}

func (s *server) serveStatus(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, pathStatus)
	st := deviceStatusMessage{DeviceID: id, Status: "Waiting", CaCertPEM: string(s.directory.CaCertPEM)}
	s.mu.Lock()
	if c, ok := s.issued[id]; ok {
		st.Status = "Approved"
		st.ClientCertPEM = []byte(c)
	}
	s.mu.Unlock()
	msg, _ := json.Marshal(st)
	_, _ = w.Write(msg)
}

func (s *server) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	peer := "none"
	if len(r.TLS.PeerCertificates) > 0 {
		c := r.TLS.PeerCertificates[0]
		peer = c.Subject.CommonName + "/" + strings.Join(c.Subject.OrganizationalUnit, ",")
	}
	log.Printf("request: %s %s proto=%s alpn=%q sni=%q peer=%s content-type=%q",
		r.Method, p, r.Proto, r.TLS.NegotiatedProtocol, r.TLS.ServerName, peer, r.Header.Get("Content-Type"))
	switch {
	case p == pathDirectory:
		s.serveDirectory(w, r)
	case p == pathOob:
		withCert(s.servePostOOB)(w, r)
	case p == pathProvreq:
		s.serveProvisionRequest(w, r)
	case strings.HasPrefix(p, pathStatus) && len(p) > len(pathStatus) && !strings.Contains(p[len(pathStatus):], "/"):
		withCert(s.serveStatus)(w, r)
	default:
		http.NotFound(w, r)
	}
}

func main() {
	dir := flag.String("dir", "", "CA bundle folder (created with a new bundle if empty)")
	listen := flag.String("listen", "127.0.0.1:0", "listening address")
	ready := flag.String("ready", "", "file that receives the listening address")
	days := flag.Int("days", 7, "validity of issued certificates, days")
	flag.BoolVar(&oldProfile, "old-profile", false, "the older certsetup: serial 2021 everywhere, issued certificates also for serverAuth")
	flag.BoolVar(&testenvProfile, "testenv", false, "make the reference's test bundle (server certificate without digitalSignature)")
	bundleOnly := flag.Bool("bundle-only", false, "make the CA bundle in -dir and exit")
	bad := flag.Bool("bad-signature", false, "sign Approved answers with a wrong key")
	hosts := flag.String("hosts", "127.0.0.1,::1,localhost", "server certificate SANs")
	flag.Parse()
	log.SetFlags(log.Lmicroseconds)
	log.SetPrefix("goserver: ")
	if *dir == "" {
		log.Fatal("-dir is required")
	}
	if _, err := os.Stat(filepath.Join(*dir, "caCert.pem")); err != nil {
		makeBundle(*dir, strings.Split(*hosts, ","))
	}
	if *bundleOnly {
		return
	}
	ca, caKey := loadCA(*dir)
	srvCert, err := tls.LoadX509KeyPair(filepath.Join(*dir, "hubCert.pem"), filepath.Join(*dir, "hubKey.pem"))
	if err != nil {
		log.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	s := &server{
		caCert: ca, caKey: caKey, validityDays: *days, badSignature: *bad,
		secrets: map[string]string{}, issued: map[string]string{},
		directory: directoryMessage{
			Endpoints: dirEndpoints{GetDirectory: pathDirectory, GetDeviceStatus: pathStatus + "{deviceID}",
				PostOobSecret: pathOob, PostProvisioningRequest: pathProvreq},
			CaCertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}),
			Version:   "1",
			Services:  map[string]string{},
		},
	}
	hs := &http.Server{
		Handler: http.HandlerFunc(s.route),
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{srvCert},
			ClientAuth:   tls.VerifyClientCertIfGiven,
			ClientCAs:    pool,
			MinVersion:   tls.VersionTLS12,
		},
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	if *ready != "" {
		if err := os.WriteFile(*ready, []byte(ln.Addr().String()+"\n"), 0644); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("listening on %s", ln.Addr())
	// ServeTLS, like ListenAndServeTLS, also offers HTTP/2 by ALPN.
	log.Fatal(hs.ServeTLS(ln, "", ""))
}

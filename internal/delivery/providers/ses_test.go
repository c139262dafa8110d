package providers_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SNS's SignatureVersion 1
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery/deliverytest"
	"github.com/invites/invites/internal/delivery/providers"
)

const (
	snsHost  = "sns.us-east-1.amazonaws.com"
	topicARN = "arn:aws:sns:us-east-1:123456789012:ses-events"
	certURL  = "https://" + snsHost + "/SimpleNotificationService-test.pem"
)

// fakeSNS is SNS as the handler sees it: an HTTPS server that the test's client reaches for
// sns.us-east-1.amazonaws.com, with a certificate from the test's own root (the trust
// anchor), serving the signing certificate and answering subscription confirmations.
type fakeSNS struct {
	roots  *x509.CertPool
	client *http.Client
	key    *rsa.PrivateKey // the signing certificate's
	// rogue is a signing key whose certificate, at /rogue.pem, no root vouches for.
	rogue *rsa.PrivateKey

	mu        sync.Mutex
	pemGets   int
	confirmed []string // the tokens of confirmed subscriptions
}

func startSNS(t *testing.T) *fakeSNS {
	caKey, caCert := newCert(t, nil, nil, &x509.Certificate{IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, Subject: pkix.Name{CommonName: "test root"}})
	s := &fakeSNS{roots: x509.NewCertPool()}
	s.roots.AddCert(caCert)
	tlsKey, tlsCert := newCert(t, caKey, caCert, &x509.Certificate{DNSNames: []string{snsHost},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	var signing, rogue *x509.Certificate
	s.key, signing = newCert(t, caKey, caCert, &x509.Certificate{Subject: pkix.Name{CommonName: "sns.amazonaws.com"},
		KeyUsage: x509.KeyUsageDigitalSignature})
	s.rogue, rogue = newCert(t, nil, nil, &x509.Certificate{Subject: pkix.Name{CommonName: "sns.amazonaws.com"}})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /SimpleNotificationService-test.pem", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.pemGets++
		s.mu.Unlock()
		pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: signing.Raw}) //nolint:errcheck
	})
	mux.HandleFunc("GET /rogue.pem", func(w http.ResponseWriter, r *http.Request) {
		pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: rogue.Raw}) //nolint:errcheck
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("Action") != "ConfirmSubscription" || r.URL.Query().Get("TopicArn") != topicARN {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.confirmed = append(s.confirmed, r.URL.Query().Get("Token"))
		s.mu.Unlock()
		w.Write([]byte("<ConfirmSubscriptionResponse/>")) //nolint:errcheck
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{tlsCert.Raw}, PrivateKey: tlsKey}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	s.client = &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
		},
	}}
	return s
}

// newCert makes an RSA key and a certificate of tmpl for it, signed by parent (nil: itself).
func newCert(t *testing.T, parentKey *rsa.PrivateKey, parent, tmpl *x509.Certificate) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func (s *fakeSNS) config() providers.Config {
	return providers.Config{EmailHooks: config.EmailHooks{SESTopicARNs: []string{"arn:aws:sns:eu-west-1:123456789012:other", topicARN}},
		SNSClient: s.client, SNSRoots: s.roots}
}

// snsPost is an SNS message of AWS's documented JSON, signed with key as SNS signs: the
// canonical string of its fields, SHA1withRSA (version 1) or SHA256withRSA (version 2).
func snsPost(t *testing.T, key *rsa.PrivateKey, version string, m map[string]string) string {
	t.Helper()
	m["SignatureVersion"] = version
	if m["SigningCertURL"] == "" {
		m["SigningCertURL"] = certURL
	}
	names := []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	if m["Type"] != "Notification" {
		names = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	canonical := ""
	for _, n := range names {
		if v, ok := m[n]; ok {
			canonical += n + "\n" + v + "\n"
		}
	}
	var sig []byte
	var err error
	if version == "1" {
		d := sha1.Sum([]byte(canonical)) //nolint:gosec
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, d[:])
	} else {
		d := sha256.Sum256([]byte(canonical))
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	m["Signature"] = base64.StdEncoding.EncodeToString(sig)
	b, _ := json.Marshal(m)
	return string(b)
}

// notification is an SNS Notification carrying an SES notification.
func notification(id, message string, at time.Time) map[string]string {
	return map[string]string{"Type": "Notification", "MessageId": id, "TopicArn": topicARN,
		"Message": message, "Timestamp": at.Format("2006-01-02T15:04:05.000Z"),
		"UnsubscribeURL": "https://" + snsHost + "/?Action=Unsubscribe"}
}

func confirmation(token string, at time.Time) map[string]string {
	return map[string]string{"Type": "SubscriptionConfirmation", "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
		"Token": token, "TopicArn": topicARN,
		"Message":      "You have chosen to subscribe to the topic " + topicARN + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		"SubscribeURL": "https://" + snsHost + "/?Action=ConfirmSubscription&TopicArn=" + topicARN + "&Token=" + token,
		"Timestamp":    at.Format("2006-01-02T15:04:05.000Z")}
}

func TestSES_SubscriptionConfirmation(t *testing.T) {
	sns := startSNS(t)
	h, rec := newHandler(t, sns.config())
	if code := post(h, "ses", snsPost(t, sns.key, "1", confirmation("2336412f37fb687f5d51e6e2425c464de", now)), nil); code != http.StatusOK {
		t.Fatalf("got %d, want 200", code)
	}
	elsewhere := confirmation("elsewhere", now)
	elsewhere["SubscribeURL"] = "https://attacker.example/?Action=ConfirmSubscription"
	if code := post(h, "ses", snsPost(t, sns.key, "2", elsewhere), nil); code != http.StatusUnauthorized {
		t.Errorf("SubscribeURL elsewhere: got %d, want 401", code)
	}
	sns.mu.Lock()
	defer sns.mu.Unlock()
	if want := []string{"2336412f37fb687f5d51e6e2425c464de"}; len(sns.confirmed) != 1 || sns.confirmed[0] != want[0] {
		t.Errorf("confirmed %v, want %v", sns.confirmed, want)
	}
	deliverytest.WantEvents(t, rec)
}

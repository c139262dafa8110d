package providers

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SNS's SignatureVersion 1 is SHA1withRSA: AWS's choice, not ours
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"time"
)

// snsHost is the host an SNS signing certificate's and subscription's URLs must have.
var snsHost = regexp.MustCompile(`^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// snsMessage is an Amazon SNS message as posted to an HTTPS subscription.
type snsMessage struct {
	Type             string
	MessageId        string //nolint:revive // SNS's name
	Token            string
	TopicArn         string
	Subject          string
	Message          string
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
	SubscribeURL     string
}

// stringToSign is SNS's canonical form of m: the signed fields' names and values, each on a
// line, in byte order of the names, Subject only when there is one.
func (m snsMessage) stringToSign() string {
	fields := [][2]string{{"Message", m.Message}, {"MessageId", m.MessageId}}
	if m.Type == "Notification" {
		if m.Subject != "" {
			fields = append(fields, [2]string{"Subject", m.Subject})
		}
		fields = append(fields, [2]string{"Timestamp", m.Timestamp})
	} else {
		fields = append(fields, [2]string{"SubscribeURL", m.SubscribeURL},
			[2]string{"Timestamp", m.Timestamp}, [2]string{"Token", m.Token})
	}
	fields = append(fields, [2]string{"TopicArn", m.TopicArn}, [2]string{"Type", m.Type})
	s := ""
	for _, f := range fields {
		s += f[0] + "\n" + f[1] + "\n"
	}
	return s
}

// snsVerifier checks SNS messages: the topic is one of ours, the signing certificate comes
// from an SNS host over HTTPS and chains to roots, the signature is the certificate's, and
// the timestamp is fresh. Certificates are kept once fetched (SNS rotates them rarely).
type snsVerifier struct {
	topics []string
	client *http.Client
	roots  *x509.CertPool
	now    func() time.Time

	mu    sync.Mutex
	certs map[string]*x509.Certificate
}

// verify checks m, or says why it is refused (an error wrapping errUnauthorized) or could not
// be checked (a failure to fetch the certificate: the provider should retry).
func (v *snsVerifier) verify(ctx context.Context, m snsMessage) error {
	if !slices.Contains(v.topics, m.TopicArn) {
		return unauthorized("topic not in SES_SNS_TOPIC_ARNS")
	}
	var hash crypto.Hash
	switch m.SignatureVersion {
	case "1":
		hash = crypto.SHA1
	case "2":
		hash = crypto.SHA256
	default:
		return unauthorized("unknown SignatureVersion")
	}
	if !isSNSURL(m.SigningCertURL) {
		return unauthorized("SigningCertURL not an https URL of an SNS host")
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return unauthorized("signature not base64")
	}
	cert, err := v.cert(ctx, m.SigningCertURL)
	if err != nil {
		return err
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return unauthorized("signing certificate has no RSA key")
	}
	var digest []byte
	if hash == crypto.SHA1 {
		d := sha1.Sum([]byte(m.stringToSign())) //nolint:gosec // SignatureVersion 1
		digest = d[:]
	} else {
		d := sha256.Sum256([]byte(m.stringToSign()))
		digest = d[:]
	}
	if rsa.VerifyPKCS1v15(key, hash, digest, sig) != nil {
		return unauthorized("signature does not verify")
	}
	at, err := time.Parse(time.RFC3339, m.Timestamp)
	if err != nil || !fresh(v.now, at) {
		return unauthorized("timestamp not within 5 minutes")
	}
	return nil
}

// isSNSURL reports whether raw is an https URL on an SNS host (no port, no user).
func isSNSURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.User == nil && u.Port() == "" &&
		snsHost.MatchString(u.Hostname())
}

// cert is the certificate at rawURL, fetched once and checked against the roots.
func (v *snsVerifier) cert(ctx context.Context, rawURL string) (*x509.Certificate, error) {
	v.mu.Lock()
	cert, ok := v.certs[rawURL]
	v.mu.Unlock()
	if ok {
		return cert, nil
	}
	pemBytes, err := v.get(ctx, rawURL, 64<<10)
	if err != nil {
		return nil, fmt.Errorf("SNS signing certificate: %w", err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, unauthorized("signing certificate not PEM")
	}
	if cert, err = x509.ParseCertificate(block.Bytes); err != nil {
		return nil, unauthorized("signing certificate does not parse")
	}
	opts := x509.VerifyOptions{Roots: v.roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	if _, err := cert.Verify(opts); err != nil {
		return nil, unauthorized("signing certificate not trusted: " + err.Error())
	}
	v.mu.Lock()
	if len(v.certs) >= 32 { // a bound, should URLs ever vary: start over
		v.certs = map[string]*x509.Certificate{}
	}
	v.certs[rawURL] = cert
	v.mu.Unlock()
	return cert, nil
}

// get fetches rawURL's body, at most limit bytes, with a 2xx answer.
func (v *snsVerifier) get(ctx context.Context, rawURL string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("GET %s: %s", req.URL.Host, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}

// confirm confirms a subscription of one of our topics: a GET of its SubscribeURL, which must
// be an SNS host's too.
func (v *snsVerifier) confirm(ctx context.Context, m snsMessage) error {
	if !isSNSURL(m.SubscribeURL) {
		return unauthorized("SubscribeURL not an https URL of an SNS host")
	}
	if _, err := v.get(ctx, m.SubscribeURL, 64<<10); err != nil {
		return fmt.Errorf("confirm the SNS subscription: %w", err)
	}
	return nil
}

// readSNS reads an SNS message from body.
func readSNS(body []byte) (snsMessage, error) {
	var m snsMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return m, malformed(err)
	}
	if m.Type == "" || m.TopicArn == "" {
		return m, malformed(errors.New("not an SNS message"))
	}
	return m, nil
}

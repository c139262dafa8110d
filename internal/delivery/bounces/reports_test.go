package bounces_test

import (
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/deliverytest"
)

// dsnHard is a delivery status notification in the form of RFC 3464's examples (as Postfix
// sends them): the returned email's headers in a text/rfc822-headers part.
const dsnHard = `Date: Sun, 6 Dec 2026 11:58:00 +0000
From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
Message-Id: <20261206115800.4F2A1@mx.example.com>
Subject: Undelivered Mail Returned to Sender
To: ` + verp + `
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4F2A1.1733486280/mx.example.com"

This is a MIME-encapsulated message.

--4F2A1.1733486280/mx.example.com
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--4F2A1.1733486280/mx.example.com
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
X-Postfix-Queue-ID: 4F2A1
Arrival-Date: Sun, 6 Dec 2026 11:57:58 +0000

Final-Recipient: rfc822; bob@exmaple.com
Original-Recipient: rfc822;bob@exmaple.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.exmaple.com
Diagnostic-Code: smtp; 550 5.1.1 <bob@exmaple.com>: Recipient address rejected:
    User unknown in local recipient table

--4F2A1.1733486280/mx.example.com
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: "Invites" <noreply@invites.test>
To: <bob@exmaple.com>
Subject: Ada invited you to Apollo
Message-ID: <` + ours + `@invites.test>
X-Invites-Email-ID: ` + ours + `

--4F2A1.1733486280/mx.example.com--
`

// dsnMixed is RFC 3464's appendix example of a delay and a soft failure, each recipient in
// its own block, the returned message whole (message/rfc822).
const dsnMixed = `Date: Thu, 7 Jul 1994 17:16:05 -0400
From: Mail Delivery Subsystem <MAILER-DAEMON@CS.UTK.EDU>
Message-Id: <199407072116.RAA14128@CS.UTK.EDU>
Subject: Returned mail: Cannot send message for 5 days
To: <` + verp + `>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
      boundary="RAA14128.773615765/CS.UTK.EDU"

--RAA14128.773615765/CS.UTK.EDU

   The original message was received at Sat, 2 Jul 1994 17:10:28 -0400
   from root@localhost

      ----- The following addresses had delivery problems -----
<louisl@larry.slip.umd.edu>  (unrecoverable error)

--RAA14128.773615765/CS.UTK.EDU
content-type: message/delivery-status

Reporting-MTA: dns; cs.utk.edu

Original-Recipient: rfc822;louisl@larry.slip.umd.edu
Final-Recipient: rfc822;louisl@larry.slip.umd.edu
Action: failed
Status: 4.0.0
Diagnostic-Code: smtp; 426 connection timed out
Last-Attempt-Date: Thu, 7 Jul 1994 17:15:49 -0400

Final-Recipient: rfc822;joe@larry.slip.umd.edu
Action: delayed
Status: 4.4.1
Last-Attempt-Date: Thu, 7 Jul 1994 17:15:49 -0400

--RAA14128.773615765/CS.UTK.EDU
content-type: message/rfc822

Message-ID: <` + ours + `@invites.test>
To: louisl@larry.slip.umd.edu
Subject: Ada invited you

[original message goes here]
--RAA14128.773615765/CS.UTK.EDU--
`

// arf is RFC 5965's example of a feedback report, about one of our emails.
const arf = `From: <abusedesk@example.com>
Date: Thu, 8 Mar 2005 17:40:36 -0400
Subject: FW: Earn money
To: <` + verp + `>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
     boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP
192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.  For more information
about this format please see http://www.mipassoc.org/arf/.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <` + verp + `>
Original-Rcpt-To: <user@example.com>
Arrival-Date: Thu, 8 Mar 2005 14:00:00 -0400
Reporting-MTA: dns; mail.example.com
Source-IP: 192.0.2.1
Authentication-Results: mail.example.com;
               spf=fail smtp.mail=somespammer@example.com
Removal-Recipient: user@example.com

--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822
Content-Disposition: inline

From: "Invites" <noreply@invites.test>
To: <user@example.com>
Subject: Ada invited you
MIME-Version: 1.0
Content-type: text/plain
Message-ID: <` + ours + `@invites.test>
Date: Thu, 08 Mar 2005 12:31:03 -0500

You are invited
--part1_13d.2e68ed54_boundary--
`

func TestServer_DSN(t *testing.T) {
	s, rec := start(t)
	if err := send(t, s, verp, dsnHard); err != nil {
		t.Fatalf("hard bounce: %v", err)
	}
	if err := send(t, s, verp, dsnMixed); err != nil {
		t.Fatalf("mixed: %v", err)
	}
	edt := time.FixedZone("", -4*3600)
	deliverytest.WantEvents(t, rec,
		delivery.Event{Provider: "smtp", ID: "20261206115800.4F2A1@mx.example.com/bob@exmaple.com", Kind: delivery.HardBounce,
			MessageID: ours + "@invites.test", EmailID: ours, Recipient: "bob@exmaple.com",
			At:     time.Date(2026, 12, 6, 11, 57, 58, 0, time.UTC),
			Reason: "550 5.1.1 <bob@exmaple.com>: Recipient address rejected: User unknown in local recipient table"},
		delivery.Event{Provider: "smtp", ID: "199407072116.RAA14128@CS.UTK.EDU/louisl@larry.slip.umd.edu", Kind: delivery.SoftBounce,
			MessageID: ours + "@invites.test", EmailID: ours, Recipient: "louisl@larry.slip.umd.edu",
			At: time.Date(1994, 7, 7, 17, 15, 49, 0, edt), Reason: "426 connection timed out"},
		delivery.Event{Provider: "smtp", ID: "199407072116.RAA14128@CS.UTK.EDU/joe@larry.slip.umd.edu", Kind: delivery.Deferred,
			MessageID: ours + "@invites.test", EmailID: ours, Recipient: "joe@larry.slip.umd.edu",
			At: time.Date(1994, 7, 7, 17, 15, 49, 0, edt), Reason: "4.4.1"},
	)
}

func TestServer_ARF(t *testing.T) {
	s, rec := start(t)
	if err := send(t, s, verp, arf); err != nil {
		t.Fatal(err)
	}
	deliverytest.WantEvents(t, rec, delivery.Event{Provider: "smtp", ID: "", Kind: delivery.Complaint,
		MessageID: ours + "@invites.test", EmailID: ours, Recipient: "user@example.com",
		At: time.Date(2005, 3, 8, 14, 0, 0, 0, time.FixedZone("", -4*3600)), Reason: "abuse"})
}

func TestServer_Refused(t *testing.T) {
	s, rec := start(t)
	for _, rcpt := range []string{"postmaster@" + domain, "bounces+" + ours + "@other.test", "bounces+nobody@" + domain} {
		if err := send(t, s, rcpt, dsnHard); code(err) != 550 {
			t.Errorf("RCPT %s: got %v, want 550", rcpt, err)
		}
	}
	plain := "From: someone@example.com\nTo: " + verp + "\nSubject: hello\nContent-Type: text/plain\n\nHi there\n"
	otherReport := strings.Replace(dsnHard, "report-type=delivery-status", "report-type=disposition-notification", 1)
	for name, msg := range map[string]string{"plain": plain, "another report type": otherReport, "not MIME": "hello\n"} {
		if err := send(t, s, verp, msg); code(err) != 554 {
			t.Errorf("%s: got %v, want 554", name, err)
		}
	}
	deliverytest.WantEvents(t, rec)
}

// TestServer_RecorderFails: the sending server is told to try again later (451).
func TestServer_RecorderFails(t *testing.T) {
	s, rec := start(t)
	rec.SetFail(true)
	if err := send(t, s, verp, dsnHard); code(err) != 451 {
		t.Errorf("got %v, want 451", err)
	}
}

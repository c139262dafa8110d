-- A provider's event is recorded once per project (delivery_events_key), and the project is the
-- one of the invite whose latest email the event concerns. Once a resend, a reminder or an
-- address change has replaced that email, a repeat of the event finds no invite, and so no
-- project: internal/delivery then looks for the event among its email's, by this index.
CREATE INDEX delivery_events_email_id_idx ON delivery_events (email_id);

-- Account lifecycle (issue #14, point 3): a password an admin reset must be changed at the next
-- sign-in, admins see when each account last signed in, and each session names its browser.

-- AlterTable
ALTER TABLE "counsellor" ADD COLUMN     "last_sign_in_at" TIMESTAMPTZ(3),
ADD COLUMN     "must_change_password" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "console_session" ADD COLUMN     "client_label" TEXT;

-- A session that ends (signed out, ended by her or an admin, the account deactivated, its
-- password reset or changed, expired) is announced on `lws_console` on commit, whichever web
-- process deleted it: every web process ends that session's live-events streams at once.
CREATE OR REPLACE FUNCTION lws_notify_session_ended() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('lws_console', json_build_object(
    'type', 'session-ended',
    'sessionId', OLD.id
  )::text);
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER console_session_ended
  AFTER DELETE ON "console_session"
  FOR EACH ROW EXECUTE FUNCTION lws_notify_session_ended();

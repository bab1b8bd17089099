from django.db import migrations

# Still append-only, with one exception: when a person deletes their account, the
# rows about them keep what happened and when, and lose what was personal (the
# details, the client IP, the idempotency key). The application asks for that with
# set_config('kopilka.audit_redact', 'on', true) inside the deleting transaction
# (audit.services.audit_redact_user), and only that exact change gets through.
FORWARD = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('kopilka.audit_redact', true) = 'on'
       AND NEW.details = '{"redacted": true}'::jsonb
       AND NEW.client_ip IS NULL
       AND NEW.idempotency_key = ''
       AND (NEW.id, NEW.created_at, NEW.source, NEW.action, NEW.user_id, NEW.actor_id,
            NEW.token_id, NEW.object_type, NEW.object_id, NEW.status_code, NEW.error_code,
            NEW.request_id, NEW.duration_ms)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.created_at, OLD.source, OLD.action, OLD.user_id, OLD.actor_id,
            OLD.token_id, OLD.object_type, OLD.object_id, OLD.status_code, OLD.error_code,
            OLD.request_id, OLD.duration_ms)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

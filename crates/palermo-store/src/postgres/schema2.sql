-- Version 2: the audit trail refuses to be rewritten, whoever connects (short of a superuser
-- who disables triggers): no entry is deleted, and an update may only erase a payload. With
-- the hub connected as a role that owns nothing (palermo migrate --hub-role), a compromised
-- hub process cannot rewrite history either.
CREATE FUNCTION palermo_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.payload IS NOT NULL
        OR (NEW.seq, NEW.at, NEW.org, NEW."user", NEW.api_key_id, NEW.source, NEW.action,
            NEW.target, NEW.outcome, NEW.justification, NEW.detail, NEW.payload_hash,
            NEW.prev_hash, NEW.hash, NEW.concerns)
        IS DISTINCT FROM
           (OLD.seq, OLD.at, OLD.org, OLD."user", OLD.api_key_id, OLD.source, OLD.action,
            OLD.target, OLD.outcome, OLD.justification, OLD.detail, OLD.payload_hash,
            OLD.prev_hash, OLD.hash, OLD.concerns)
    THEN
        RAISE EXCEPTION 'the audit trail is append-only: only a payload may be erased'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION palermo_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION palermo_audit_append_only();
CREATE TRIGGER audit_not_truncated BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION palermo_append_only();
CREATE TRIGGER audit_subjects_append_only BEFORE UPDATE OR DELETE ON audit_subjects
    FOR EACH ROW EXECUTE FUNCTION palermo_append_only();
CREATE TRIGGER audit_subjects_not_truncated BEFORE TRUNCATE ON audit_subjects
    FOR EACH STATEMENT EXECUTE FUNCTION palermo_append_only();

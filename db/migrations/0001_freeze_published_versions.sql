-- Published app versions are immutable: refuse any UPDATE of a row that is not the draft.
CREATE FUNCTION weft_refuse_published_version_update() RETURNS trigger AS $$
BEGIN
  IF OLD.is_draft = false THEN
    RAISE EXCEPTION 'published app version % is immutable', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER app_versions_published_immutable
  BEFORE UPDATE ON app_versions
  FOR EACH ROW EXECUTE FUNCTION weft_refuse_published_version_update();

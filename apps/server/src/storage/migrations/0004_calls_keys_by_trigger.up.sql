-- Every ingested call ran two foreign-key lookups, to projects and to conversations: about 8 µs of
-- database CPU per row by EXPLAIN ANALYZE, a tenth of the ingest statement. The server writes a
-- call only for the project of the key that sent it, and upserts the call's conversation in the
-- same statement, so the checks guarded nothing. What the keys also did on deletion is kept by
-- statement-level triggers: a deleted project takes its calls with it, and a deleted conversation
-- leaves its calls (and their cost) with conversation_id set to NULL.

ALTER TABLE llm_calls DROP CONSTRAINT llm_calls_project_id_fkey;
ALTER TABLE llm_calls DROP CONSTRAINT llm_calls_project_id_conversation_id_fkey;

CREATE FUNCTION delete_calls_of_deleted_projects() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM llm_calls c
  USING deleted_projects d
  WHERE c.project_id = d.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER projects_delete_calls
  AFTER DELETE ON projects
  REFERENCING OLD TABLE AS deleted_projects
  FOR EACH STATEMENT EXECUTE FUNCTION delete_calls_of_deleted_projects();

CREATE FUNCTION detach_calls_of_deleted_conversations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE llm_calls c
  SET conversation_id = NULL
  FROM deleted_conversations d
  WHERE c.project_id = d.project_id AND c.conversation_id = d.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER conversations_detach_calls
  AFTER DELETE ON conversations
  REFERENCING OLD TABLE AS deleted_conversations
  FOR EACH STATEMENT EXECUTE FUNCTION detach_calls_of_deleted_conversations();

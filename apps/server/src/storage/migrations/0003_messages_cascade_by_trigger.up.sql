-- A message row is written for nearly every ingested call, and its foreign key to conversations
-- ran a lookup per row (about a sixth of the ingest statement's time). Ingest writes the
-- conversation in the same statement as its messages, so the check adds no safety there; what the
-- key also gave, deleting a conversation's messages with it, is kept by a statement-level trigger.

ALTER TABLE messages DROP CONSTRAINT messages_project_id_conversation_id_fkey;

CREATE FUNCTION delete_messages_of_deleted_conversations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM messages m
  USING deleted_conversations d
  WHERE m.project_id = d.project_id AND m.conversation_id = d.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER conversations_delete_messages
  AFTER DELETE ON conversations
  REFERENCING OLD TABLE AS deleted_conversations
  FOR EACH STATEMENT EXECUTE FUNCTION delete_messages_of_deleted_conversations();

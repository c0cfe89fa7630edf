DROP VIEW messages;

CREATE TABLE messages (
  project_id uuid NOT NULL,
  conversation_id text NOT NULL,
  id text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, conversation_id, id)
);

-- Rebuilt from the calls, as the view showed them.
INSERT INTO messages (project_id, conversation_id, id, first_seen_at)
SELECT project_id, conversation_id, message_id, min(timestamp)
FROM llm_calls
WHERE conversation_id IS NOT NULL AND message_id IS NOT NULL
GROUP BY project_id, conversation_id, message_id;

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

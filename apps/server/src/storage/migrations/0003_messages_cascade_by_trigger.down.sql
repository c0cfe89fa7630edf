DROP TRIGGER conversations_delete_messages ON conversations;
DROP FUNCTION delete_messages_of_deleted_conversations();
-- The server never writes a message without its conversation, but without the key nothing else
-- stops it; such a message would block the key, and it belongs to nothing.
DELETE FROM messages m
WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.project_id = m.project_id AND c.id = m.conversation_id);
ALTER TABLE messages ADD CONSTRAINT messages_project_id_conversation_id_fkey
  FOREIGN KEY (project_id, conversation_id) REFERENCES conversations (project_id, id) ON DELETE CASCADE;

-- A message row was written for nearly every ingested call: about 5.7 µs of database CPU per call
-- (a sixth of the ingest statement), for a table nothing else wrote and that held nothing the calls
-- do not. A message is now what its calls say it is: the view lists each (conversation, message)
-- that has a call, first seen at its earliest call. It cannot disagree with the calls, and the calls'
-- (project_id, conversation_id, timestamp) index answers "the messages of a conversation".
-- Deleting a conversation detaches its calls (migration 0004), so its messages leave the view with it.

DROP TRIGGER conversations_delete_messages ON conversations;
DROP FUNCTION delete_messages_of_deleted_conversations();
DROP TABLE messages;

CREATE VIEW messages AS
  SELECT project_id, conversation_id, message_id AS id, min(timestamp) AS first_seen_at
  FROM llm_calls
  WHERE conversation_id IS NOT NULL AND message_id IS NOT NULL
  GROUP BY project_id, conversation_id, message_id;

DROP TRIGGER conversations_delete_events ON conversations;
DROP FUNCTION delete_events_of_deleted_conversations();
DROP TRIGGER projects_delete_events ON projects;
DROP FUNCTION delete_events_of_deleted_projects();
-- Without the keys nothing else stopped an event naming a missing project or conversation; such rows
-- would block the keys, and the keys would have deleted them with their project or conversation.
DELETE FROM observability_events e WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = e.project_id);
DELETE FROM observability_events e
WHERE e.conversation_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.project_id = e.project_id AND v.id = e.conversation_id);
CREATE INDEX observability_events_time ON observability_events (project_id, timestamp);
ALTER TABLE observability_events ADD CONSTRAINT observability_events_project_id_fkey
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE;
ALTER TABLE observability_events ADD CONSTRAINT observability_events_project_id_conversation_id_fkey
  FOREIGN KEY (project_id, conversation_id) REFERENCES conversations (project_id, id) ON DELETE CASCADE;

DROP TRIGGER conversations_detach_calls ON conversations;
DROP FUNCTION detach_calls_of_deleted_conversations();
DROP TRIGGER projects_delete_calls ON projects;
DROP FUNCTION delete_calls_of_deleted_projects();
-- Without the keys nothing else stopped a call naming a missing project or conversation; such rows
-- would block the keys. A call of no project belongs to nobody; a call keeps its cost without its
-- conversation, as the key's ON DELETE SET NULL would have left it.
DELETE FROM llm_calls c WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = c.project_id);
UPDATE llm_calls c SET conversation_id = NULL
WHERE c.conversation_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.project_id = c.project_id AND v.id = c.conversation_id);
ALTER TABLE llm_calls ADD CONSTRAINT llm_calls_project_id_fkey
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE;
ALTER TABLE llm_calls ADD CONSTRAINT llm_calls_project_id_conversation_id_fkey
  FOREIGN KEY (project_id, conversation_id) REFERENCES conversations (project_id, id) ON DELETE SET NULL (conversation_id);

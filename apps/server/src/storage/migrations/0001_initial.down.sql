DROP TABLE observability_events;
DROP TABLE llm_calls;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE api_keys;
DROP TABLE projects;

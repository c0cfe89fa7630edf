-- loses: every project, API key, call, conversation, message and observability event (the tables are dropped)
DROP TABLE observability_events;
DROP TABLE llm_calls;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE api_keys;
DROP TABLE projects;

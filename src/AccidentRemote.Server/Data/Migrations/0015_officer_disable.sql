-- An account can be disabled (and enabled again): it cannot sign in and its sessions stop working.
ALTER TABLE officers ADD COLUMN disabled_at {ts};

-- People who may sign in. The password is a bcrypt hash; scope limits what cost a user sees:
-- {"providers": [...], "billing_accounts": [...], "sub_accounts": [...]}, each list optional,
-- an absent or empty list meaning "all".
CREATE TABLE app."user" (
    user_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text        NOT NULL,
    name          text        NOT NULL,
    email         text        NOT NULL,
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    scope         jsonb       NOT NULL DEFAULT '{}',
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (username ~ '^[A-Za-z0-9_.@-]{1,64}$')
);
CREATE UNIQUE INDEX user_username ON app."user" (lower(username));

-- Who did what, when: logins, failed logins, user and source changes, exports, triage, AI calls.
CREATE TABLE app.audit_log (
    audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    username text,
    action   text        NOT NULL,
    detail   jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON app.audit_log (at DESC);
CREATE INDEX audit_log_user_action ON app.audit_log (lower(username), action, at DESC);

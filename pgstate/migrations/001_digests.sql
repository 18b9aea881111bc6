-- Daily digest subscriptions (digest.Subscription), one row a chat.
CREATE TABLE digest_subscriptions (
    chat_id  bigint PRIMARY KEY,
    hour     smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
    minute   smallint NOT NULL CHECK (minute BETWEEN 0 AND 59),
    thread   integer NOT NULL DEFAULT 0,
    -- Tehran date (YYYY-MM-DD) of the last digest handled; '' before the first.
    day      text NOT NULL DEFAULT '' CHECK (day = '' OR day ~ '^\d{4}-\d{2}-\d{2}$'),
    -- Arrival time up to which articles have been sent; NULL before the first.
    until_at timestamptz
);

-- One row per digest being or having been sent: the primary key is what
-- makes a digest go out once per chat and day, whichever replica leads.
CREATE TABLE digest_claims (
    chat_id    bigint NOT NULL,
    day        text NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, day)
);

-- One-time jobs that ran (the import of digest.db).
CREATE TABLE imports (
    name    text PRIMARY KEY,
    ran_at  timestamptz NOT NULL DEFAULT now(),
    detail  text NOT NULL DEFAULT ''
);

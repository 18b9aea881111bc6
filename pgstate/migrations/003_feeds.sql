-- Admin-added feeds (/feeds add), the configured feeds an admin removed,
-- each feed's fetch state (feed.State as JSON), and each feed's stored
-- articles (its .jsonl, as the feed package writes it).
CREATE TABLE feeds_added (
    url      text PRIMARY KEY,
    name     text NOT NULL DEFAULT '',
    added_at timestamptz NOT NULL
);
CREATE TABLE feeds_removed (
    url        text PRIMARY KEY,
    removed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE feed_state (
    url        text PRIMARY KEY,
    state      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE feed_articles (
    url        text PRIMARY KEY,
    jsonl      bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

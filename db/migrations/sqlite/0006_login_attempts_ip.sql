-- 0006: the login rate limit counts failures per client IP too; index it.
CREATE INDEX login_attempts_ip_at ON login_attempts(ip, at);
-- ... and per (username, client IP) pair (docs/modules/auth.md).
CREATE INDEX login_attempts_user_ip_at ON login_attempts(username, ip, at);

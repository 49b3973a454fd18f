-- 0006: the login rate limit counts failures per client IP too; index it.
CREATE INDEX login_attempts_ip_at ON login_attempts(ip, at);

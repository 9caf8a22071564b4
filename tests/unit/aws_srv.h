/*
 * A canned HTTP/1.1 server on 127.0.0.1 for the AWS-layer unit tests: a
 * thread answers each connection with the next scripted reply (the last one
 * repeats) and records every request it read, head and body, for the test
 * to inspect.  One request per connection ("Connection: close").
 *
 *	struct srv s;
 *	srv_start(&s);
 *	srv_add(&s, 503, NULL, "busy");
 *	... point the code under test at s.url ...
 *	T(strstr(srv_req(&s, 0), "Action=ListUsers") != NULL, ...);
 *	srv_stop(&s);
 */
#ifndef TESTS_AWS_SRV_H
#define TESTS_AWS_SRV_H

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SRV_MAX 256

struct srv_reply {
	int		 status;
	const char	*headers;	/* extra lines, each ending "\r\n", or NULL */
	char		*body;		/* owned copy; NULL = empty */
	size_t		 len;
	int		 hang;		/* never answer: wait until the client gives up */
};

struct srv {
	int		 fd;
	int		 port;
	char		 url[64];	/* "http://127.0.0.1:PORT/" */
	pthread_t	 th;
	pthread_mutex_t	 mu;
	struct srv_reply replies[SRV_MAX];
	int		 nreplies, next;
	char		*reqs[SRV_MAX];
	int		 nreqs;
	int		 stop;
};

static inline int
srv_stopping(struct srv *s)
{
	int v;

	pthread_mutex_lock(&s->mu);
	v = s->stop;
	pthread_mutex_unlock(&s->mu);
	return v;
}

/* Read one request (head and Content-Length body); NULL if the peer left. */
static inline char *
srv_read_request(int c)
{
	size_t cap = 4096, len = 0, need = 0;
	char *p = malloc(cap), *eoh = NULL;

	for (;;) {
		ssize_t n;

		if (len + 1 >= cap)
			p = realloc(p, cap *= 2);
		n = read(c, p + len, cap - len - 1);
		if (n <= 0) {
			free(p);
			return NULL;
		}
		len += (size_t)n;
		p[len] = '\0';
		if (eoh == NULL && (eoh = strstr(p, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(p, "\r\nContent-Length:");

			need = (size_t)(eoh - p) + 4 + (cl && cl < eoh ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (eoh != NULL && len >= need)
			return p;
	}
}

static inline void
srv_answer(struct srv *s, int c)
{
	struct srv_reply r = { 500, NULL, NULL, 0, 0 };
	char *req, head[512];
	int n;

	if ((req = srv_read_request(c)) == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	if (s->nreqs < SRV_MAX)
		s->reqs[s->nreqs++] = req;
	else
		free(req);
	if (s->nreplies > 0) {
		/* A copy: the test may reset the script once the client has its answer. */
		r = s->replies[s->next];
		r.body = r.len ? memcpy(malloc(r.len), r.body, r.len) : NULL;
		if (s->next < s->nreplies - 1)
			s->next++;
	}
	pthread_mutex_unlock(&s->mu);
	if (r.hang) {
		struct pollfd pf = { c, POLLIN, 0 };
		char sink[256];

		while (!srv_stopping(s))
			if (poll(&pf, 1, 20) > 0 && read(c, sink, sizeof(sink)) <= 0)
				break;
		free(r.body);
		return;
	}
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d Canned\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n%s\r\n", r.status, r.len, r.headers ? r.headers : "");
	send(c, head, (size_t)n, MSG_NOSIGNAL);
	if (r.len)
		send(c, r.body, r.len, MSG_NOSIGNAL);
	free(r.body);
}

static inline void *
srv_main(void *arg)
{
	struct srv *s = arg;
	struct pollfd pf = { s->fd, POLLIN, 0 };
	int c;

	while (!srv_stopping(s)) {
		if (poll(&pf, 1, 20) <= 0)
			continue;
		if ((c = accept(s->fd, NULL, NULL)) < 0)
			continue;
		srv_answer(s, c);
		shutdown(c, SHUT_RDWR);
		close(c);
	}
	return NULL;
}

static inline void
srv_start(struct srv *s)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s->fd, 16) < 0 || getsockname(s->fd, (struct sockaddr *)&a, &alen) < 0) {
		perror("srv_start");
		exit(2);
	}
	s->port = ntohs(a.sin_port);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d/", s->port);
	pthread_create(&s->th, NULL, srv_main, s);
}

/* Script the next reply; body may hold NULs when len is given (0 = strlen). */
static inline void
srv_add_len(struct srv *s, int status, const char *headers, const char *body, size_t len)
{
	struct srv_reply *r;

	pthread_mutex_lock(&s->mu);
	if (s->nreplies < SRV_MAX) {
		r = &s->replies[s->nreplies++];
		r->status = status;
		r->headers = headers;
		r->len = body ? (len ? len : strlen(body)) : 0;
		r->body = r->len ? memcpy(malloc(r->len), body, r->len) : NULL;
		r->hang = status == 0;
	}
	pthread_mutex_unlock(&s->mu);
}

static inline void
srv_add(struct srv *s, int status, const char *headers, const char *body)
{
	srv_add_len(s, status, headers, body, 0);
}

/* Forget replies and requests, keep serving. */
static inline void
srv_reset(struct srv *s)
{
	int i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nreplies; i++)
		free(s->replies[i].body);
	for (i = 0; i < s->nreqs; i++)
		free(s->reqs[i]);
	s->nreplies = s->next = s->nreqs = 0;
	pthread_mutex_unlock(&s->mu);
}

static inline int
srv_nreqs(struct srv *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->nreqs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* The i-th request received (head and body), or "" if there is none. */
static inline const char *
srv_req(struct srv *s, int i)
{
	const char *r;

	pthread_mutex_lock(&s->mu);
	r = i < s->nreqs ? s->reqs[i] : "";
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* A request header's value (first occurrence) into out; "" if absent. */
static inline const char *
srv_header(const char *req, const char *name, char *out, size_t outlen)
{
	const char *p = req, *eoh = strstr(req, "\r\n\r\n");
	size_t n = strlen(name);

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL && (eoh == NULL || p < eoh)) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			snprintf(out, outlen, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
			break;
		}
	}
	return out;
}

static inline const char *
srv_body(const char *req)
{
	const char *p = strstr(req, "\r\n\r\n");

	return p ? p + 4 : "";
}

static inline void
srv_stop(struct srv *s)
{
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	close(s->fd);
	srv_reset(s);
	pthread_mutex_destroy(&s->mu);
}

/* A port nothing listens on: bind, read the port, close. */
static inline int
srv_dead_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &alen);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Temporary directories and files for the tests. */
static inline int
srv_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static inline void
srv_rmtree(const char *dir)
{
	nftw(dir, srv_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write dir/name (mode, e.g. 0755 for a script); returns the path (static buffer). */
static inline const char *
srv_write(const char *dir, const char *name, const char *text, int mode)
{
	static char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
	return path;
}

/*
 * Tests must not see the developer's AWS setup: clear every variable the
 * layer reads, point HOME at an empty directory, and switch IMDS off.
 */
static inline void
srv_clean_env(const char *home)
{
	static const char *const vars[] = {
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_CLOUDTRAIL",
		"AWS_ENDPOINT_URL_ORGANIZATIONS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
		"AWS_CA_BUNDLE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_USE_FIPS_ENDPOINT",
		"AWS_USE_DUALSTACK_ENDPOINT", "AWS_STS_REGIONAL_ENDPOINTS", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
		"AWS_EC2_METADATA_V1_DISABLED", "AWS_METADATA_SERVICE_TIMEOUT",
		"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
		"https_proxy", "ALL_PROXY", "all_proxy", "AWS_ENDPOINT_URL_SSO",
		"AWS_ENDPOINT_URL_SSO_OIDC", "IAMGRADE_MFA_CODE", NULL,
	};
	const char *const *v;

	for (v = vars; *v != NULL; v++)
		unsetenv(*v);
	setenv("HOME", home, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("IAMGRADE_RETRY_BASE_MS", "1", 1);
}

#endif

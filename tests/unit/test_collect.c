/*
 * collect_account end to end over real HTTP: a small fake AWS in a thread
 * answers canned bodies, records every request, and the tests check the
 * snapshot and the calls (paging, polling, pacing, home regions, failures).
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/t.h"

#include "common/common.h"
#include "collector/collector.h"
#include "collector/sources.h"
#include "checks/checks.h"
#include "snapshot/snapshot.h"

#define NS "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\""
#define MAXREQ 200

struct fake_req {
	char	op[64];		/* Action= or the X-Amz-Target operation */
	char	region[32];	/* from the credential scope */
	char	*body;
	long	 at_ms;
};

struct fake_resp {
	int	 status;
	char	*body;		/* malloc'd */
	int	 json;
};

typedef void fake_fn(const struct fake_req *, int nth, struct fake_resp *);

static struct {
	int		 fd;
	int		 port;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 idle;
	int		 conns;		/* connections being served */
	int		 accepted;	/* connections opened in all */
	fake_fn		*handler;
	struct fake_req	 log[MAXREQ];
	int		 n;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER };

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How many earlier requests named op (the handler's "nth" call of op). */
static int
fake_count(const char *op, int upto)
{
	int i, n = 0;

	for (i = 0; i < upto; i++)
		if (strcmp(fake.log[i].op, op) == 0)
			n++;
	return n;
}

static void
fake_parse(const char *head, const char *body, struct fake_req *q)
{
	const char *p, *e;
	size_t n;

	memset(q, 0, sizeof(*q));
	q->body = xstrdup(body);
	q->at_ms = now_ms();
	if ((p = strcasestr(head, "\nX-Amz-Target: ")) != NULL) {
		p += 15;
		e = p + strcspn(p, "\r\n");
		for (n = (size_t)(e - p); n > 0 && p[n - 1] != '.'; n--)
			;
		snprintf(q->op, sizeof(q->op), "%.*s", (int)(e - p - n), p + n);
	} else if ((p = strstr(body, "Action=")) != NULL)
		snprintf(q->op, sizeof(q->op), "%.*s", (int)strcspn(p + 7, "&"), p + 7);
	/* Credential=AKID/20240101/REGION/service/aws4_request */
	if ((p = strstr(head, "Credential=")) != NULL && (p = strchr(p, '/')) != NULL &&
	    (p = strchr(p + 1, '/')) != NULL)
		snprintf(q->region, sizeof(q->region), "%.*s", (int)strcspn(p + 1, "/"), p + 1);
}

static void
fake_conn(int c)
{
	struct buf in = { 0 };
	char chunk[8192], *hend, *resp;
	struct fake_resp r;
	struct fake_req q;
	ssize_t got;
	size_t clen, hlen;
	const char *cl;
	int nth;

	for (;;) {
		while ((hend = in.p ? strstr(in.p, "\r\n\r\n") : NULL) == NULL) {
			if ((got = recv(c, chunk, sizeof(chunk), 0)) <= 0)
				goto out;
			buf_add(&in, chunk, (size_t)got);
		}
		hlen = (size_t)(hend - in.p) + 4;
		cl = strcasestr(in.p, "\nContent-Length: ");
		clen = cl && cl < hend ? strtoul(cl + 17, NULL, 10) : 0;
		if (strcasestr(in.p, "\nExpect: 100-continue") != NULL &&
		    send(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, 0) < 0)
			goto out;
		while (in.len < hlen + clen) {
			if ((got = recv(c, chunk, sizeof(chunk), 0)) <= 0)
				goto out;
			buf_add(&in, chunk, (size_t)got);
		}
		in.p[hlen - 1] = '\0';
		{
			char *body = xstrndup(in.p + hlen, clen);

			fake_parse(in.p, body, &q);
			free(body);
		}
		memset(&r, 0, sizeof(r));
		pthread_mutex_lock(&fake.lock);
		nth = fake_count(q.op, fake.n);
		if (fake.n < MAXREQ)
			fake.log[fake.n++] = q;
		else
			free(q.body);
		pthread_mutex_unlock(&fake.lock);
		fake.handler(&q, nth, &r);
		if (r.status == 0)
			r.status = 200;
		if (r.body == NULL)
			r.body = xstrdup("");
		resp = xasprintf("HTTP/1.1 %d X\r\nContent-Type: %s\r\nx-amzn-RequestId: rid-%d\r\n"
		    "Content-Length: %zu\r\n\r\n%s", r.status,
		    r.json ? "application/x-amz-json-1.1" : "text/xml", fake.n, strlen(r.body), r.body);
		if (send(c, resp, strlen(resp), 0) < 0) {
			free(resp);
			free(r.body);
			goto out;
		}
		free(resp);
		free(r.body);
		memmove(in.p, in.p + hlen + clen, in.len - hlen - clen);
		in.len -= hlen + clen;
		in.p[in.len] = '\0';
	}
out:
	buf_free(&in);
	close(c);
}

/*
 * A thread per connection: an account's independent sources are in flight
 * together (collector/parallel.c), each on a connection of its own that
 * stays open until the account is done.
 */
static void *
fake_conn_thread(void *arg)
{
	fake_conn((int)(intptr_t)arg);
	pthread_mutex_lock(&fake.lock);
	fake.conns--;
	pthread_cond_signal(&fake.idle);
	pthread_mutex_unlock(&fake.lock);
	return NULL;
}

static void *
fake_loop(void *arg)
{
	pthread_t th;
	int c;

	while ((c = accept(fake.fd, NULL, NULL)) >= 0) {
		pthread_mutex_lock(&fake.lock);
		fake.conns++;
		fake.accepted++;
		pthread_mutex_unlock(&fake.lock);
		if (pthread_create(&th, NULL, fake_conn_thread, (void *)(intptr_t)c) != 0) {
			perror("fake server thread");
			exit(1);
		}
		pthread_detach(th);
	}
	return NULL;
}

static void
fake_start(fake_fn *fn)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int one = 1;

	fake.handler = fn;
	fake.n = 0;
	fake.fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fake.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fake.fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fake.fd, 8) < 0 ||
	    getsockname(fake.fd, (struct sockaddr *)&a, &len) < 0) {
		perror("fake server");
		exit(1);
	}
	fake.port = ntohs(a.sin_port);
	pthread_create(&fake.thread, NULL, fake_loop, NULL);
}

static void
fake_stop(void)
{
	int i;

	shutdown(fake.fd, SHUT_RDWR);
	close(fake.fd);
	pthread_join(fake.thread, NULL);
	/* The clients are gone by now; the connections they left for the next ones end. */
	aws_release_connections();
	pthread_mutex_lock(&fake.lock);
	while (fake.conns > 0)
		pthread_cond_wait(&fake.idle, &fake.lock);
	pthread_mutex_unlock(&fake.lock);
	for (i = 0; i < fake.n; i++)
		free(fake.log[i].body);
	fake.n = 0;
}

/* Canned answers. */

static void
xml(struct fake_resp *r, const char *action, const char *result)
{
	r->body = xasprintf("<%sResponse " NS "><%sResult>%s</%sResult>"
	    "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%sResponse>",
	    action, action, result, action, action);
}

static void
xml_err(struct fake_resp *r, int status, const char *code, const char *msg)
{
	r->status = status;
	r->body = xasprintf("<ErrorResponse " NS "><Error><Type>Sender</Type><Code>%s</Code>"
	    "<Message>%s</Message></Error><RequestId>e</RequestId></ErrorResponse>", code, msg);
}

static void
json(struct fake_resp *r, const char *body)
{
	r->json = 1;
	r->body = xstrdup(body);
}

static void
json_err(struct fake_resp *r, const char *type, const char *msg)
{
	r->json = 1;
	r->status = 400;
	r->body = xasprintf("{\"__type\":\"%s\",\"message\":\"%s\"}", type, msg);
}

/* n bytes of s in base64 (they may hold a NUL). */
static char *
b64n(const char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	char *out = xmalloc(n / 3 * 4 + 8);

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16 |
		    (i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0) | (i + 2 < n ? (unsigned char)s[i + 2] : 0);

		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static char *
b64(const char *s)
{
	return b64n(s, strlen(s));
}

/* The 22 documented columns (AWS's order), with a few twists in the values. */
#define REPORT_HEADER \
    "user,arn,user_creation_time,password_enabled,password_last_used," \
    "password_last_changed,password_next_rotation,mfa_active,access_key_1_active," \
    "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region," \
    "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated," \
    "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," \
    "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
#define REPORT_ROOT \
    "<root_account>,arn:aws:iam::123456789012:root,2019-01-01T00:00:00+00:00,not_supported," \
    "no_information,not_supported,not_supported,true,true,2019-01-01T00:00:00+00:00,N/A,N/A," \
    "N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"

static const char report_csv[] =
    REPORT_HEADER REPORT_ROOT
    "alice,arn:aws:iam::123456789012:user/alice,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,"
    "false,true,2020-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    "bob,arn:aws:iam::123456789012:user/bob,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,"
    "true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    "\"carol,c\",arn:aws:iam::123456789012:user/carol,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,"
    "false,false,N/A,N/A,N/A,N/A,false,2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n";

static void
identity(struct fake_resp *r)
{
	xml(r, "GetCallerIdentity", "<Arn>arn:aws:iam::123456789012:user/auditor</Arn>"
	    "<UserId>AIDAAUDITOR</UserId><Account>123456789012</Account>");
}

/* A CloudTrail record as LookupEvents sends it: JSON text inside a JSON string. */
#define EVENT_RECORD(id, time) \
    "\"{\\\"eventID\\\":\\\"" id "\\\",\\\"eventName\\\":\\\"CreateRole\\\"," \
    "\\\"eventTime\\\":\\\"" time "\\\",\\\"userIdentity\\\":{\\\"type\\\":\\\"IAMUser\\\"}}\""

/* A whole account, with a few twists. */
/*
 * Service last accessed for full_account's three principals (jobs read
 * from several connections at once, so no nth): alice's job is in progress
 * at its first read, then two pages; bob's FAILs every time; deploy's
 * completes at once.
 */
#define LA_JOB(c)	"0000000" c "-1305-c245-eba4-71fe298bcda7"
static int la_alice_polls;

static void
last_accessed(const struct fake_req *q, struct fake_resp *r)
{
	if (strcmp(q->op, "GenerateServiceLastAccessedDetails") == 0) {
		if (strstr(q->body, "Granularity=ACTION_LEVEL") == NULL)
			xml_err(r, 400, "InvalidInput", "not ACTION_LEVEL");
		else if (strstr(q->body, "user%2Falice") != NULL)
			xml(r, q->op, "<JobId>" LA_JOB("a") "</JobId>");
		else if (strstr(q->body, "user%2Fbob") != NULL)
			xml(r, q->op, "<JobId>" LA_JOB("b") "</JobId>");
		else
			xml(r, q->op, "<JobId>" LA_JOB("d") "</JobId>");
	} else if (strstr(q->body, LA_JOB("a")) != NULL) {
		if (__atomic_fetch_add(&la_alice_polls, 1, __ATOMIC_SEQ_CST) == 0)
			xml(r, q->op, "<JobStatus>IN_PROGRESS</JobStatus><JobType>ACTION_LEVEL</JobType>"
			    "<JobCreationDate>2026-11-27T10:00:00.123Z</JobCreationDate>");
		else if (strstr(q->body, "Marker=m-2") == NULL)
			xml(r, q->op, "<JobStatus>COMPLETED</JobStatus><JobType>ACTION_LEVEL</JobType>"
			    "<JobCompletionDate>2026-11-27T10:00:03.456Z</JobCompletionDate>"
			    "<IsTruncated>true</IsTruncated><Marker>m-2</Marker><ServicesLastAccessed>"
			    "<member><ServiceName>AWS Identity and Access Management</ServiceName>"
			    "<ServiceNamespace>iam</ServiceNamespace>"
			    "<TotalAuthenticatedEntities>0</TotalAuthenticatedEntities></member>"
			    "</ServicesLastAccessed>");
		else
			xml(r, q->op, "<JobStatus>COMPLETED</JobStatus><JobType>ACTION_LEVEL</JobType>"
			    "<JobCompletionDate>2026-11-27T10:00:03.456Z</JobCompletionDate>"
			    "<IsTruncated>false</IsTruncated><ServicesLastAccessed><member>"
			    "<ServiceName>Amazon S3</ServiceName><ServiceNamespace>s3</ServiceNamespace>"
			    "<LastAuthenticated>2026-11-20T08:15:00Z</LastAuthenticated>"
			    "<LastAuthenticatedEntity>arn:aws:iam::123456789012:user/alice</LastAuthenticatedEntity>"
			    "<TotalAuthenticatedEntities>1</TotalAuthenticatedEntities>"
			    "<TrackedActionsLastAccessed><member><ActionName>CreateBucket</ActionName>"
			    "<LastAccessedTime>2026-11-20T08:15:00Z</LastAccessedTime></member>"
			    "<member><ActionName>DeleteBucket</ActionName></member>"
			    "</TrackedActionsLastAccessed></member></ServicesLastAccessed>");
	} else if (strstr(q->body, LA_JOB("b")) != NULL)
		xml(r, q->op, "<JobStatus>FAILED</JobStatus><JobCreationDate>2026-11-27T10:00:00Z"
		    "</JobCreationDate><JobCompletionDate>2026-11-27T10:00:01Z</JobCompletionDate>"
		    "<Error><Message>internal</Message><Code>InternalError</Code></Error>");
	else
		xml(r, q->op, "<JobStatus>COMPLETED</JobStatus><IsTruncated>false</IsTruncated>"
		    "<ServicesLastAccessed/>");
}

static void
full_account(const struct fake_req *q, int nth, struct fake_resp *r)
{
	char *content, *res;

	if (strcmp(q->op, "GetCallerIdentity") == 0)
		identity(r);
	else if (strcmp(q->op, "ListAccountAliases") == 0) {
		if (nth == 0)
			xml(r, q->op, "<IsTruncated>true</IsTruncated><Marker>a/b+c=</Marker>"
			    "<AccountAliases/>");
		else
			xml(r, q->op, "<IsTruncated>false</IsTruncated>"
			    "<AccountAliases><member>acme-prod</member></AccountAliases>");
	} else if (strcmp(q->op, "GenerateCredentialReport") == 0)
		xml(r, q->op, nth < 2 ? "<State>STARTED</State>" : "<State>COMPLETE</State>");
	else if (strcmp(q->op, "GetCredentialReport") == 0) {
		if (nth == 0)
			xml_err(r, 404, "ReportInProgress", "not yet");
		else {
			content = b64(report_csv);
			res = xasprintf("<Content>%s</Content><ReportFormat>text/csv</ReportFormat>"
			    "<GeneratedTime>2026-11-27T09:58:00Z</GeneratedTime>", content);
			xml(r, q->op, res);
			free(content);
			free(res);
		}
	} else if (strcmp(q->op, "GetAccountPasswordPolicy") == 0)
		xml_err(r, 404, "NoSuchEntity", "The Password Policy with domain name 123456789012 cannot be found.");
	else if (strcmp(q->op, "GetAccountSummary") == 0)
		xml(r, q->op, "<SummaryMap><entry><key>AccountMFAEnabled</key><value>1</value></entry>"
		    "</SummaryMap>");
	else if (strcmp(q->op, "ListVirtualMFADevices") == 0)
		xml(r, q->op, "<IsTruncated>false</IsTruncated><VirtualMFADevices><member>"
		    "<SerialNumber>arn:aws:iam::123456789012:mfa/alice</SerialNumber>"
		    "<Base32StringSeed>SECRETSEED</Base32StringSeed></member></VirtualMFADevices>");
	else if (strcmp(q->op, "GetAccountAuthorizationDetails") == 0) {
		if (nth == 0)
			xml(r, q->op, "<IsTruncated>true</IsTruncated><Marker>p2</Marker>"
			    "<UserDetailList><member><UserName>alice</UserName>"
			    "<Arn>arn:aws:iam::123456789012:user/alice</Arn></member></UserDetailList>"
			    "<GroupDetailList/><RoleDetailList/><Policies/>");
		else
			xml(r, q->op, "<IsTruncated>false</IsTruncated>"
			    "<UserDetailList><member><UserName>bob</UserName>"
			    "<Arn>arn:aws:iam::123456789012:user/bob</Arn></member></UserDetailList>"
			    "<RoleDetailList><member><RoleName>deploy</RoleName>"
			    "<Arn>arn:aws:iam::123456789012:role/deploy</Arn><AssumeRolePolicyDocument>"
			    "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"
			    "</AssumeRolePolicyDocument></member>"
			    "</RoleDetailList><Policies><member><PolicyName>unused</PolicyName>"
			    "<Arn>arn:aws:iam::aws:policy/Unused</Arn><AttachmentCount>0</AttachmentCount>"
			    "</member></Policies>");
	} else if (strcmp(q->op, "GenerateServiceLastAccessedDetails") == 0 ||
	    strcmp(q->op, "GetServiceLastAccessedDetails") == 0)
		last_accessed(q, r);
	else if (strcmp(q->op, "DescribeTrails") == 0)
		json(r, "{\"trailList\":["
		    "{\"Name\":\"org\",\"HomeRegion\":\"us-east-1\",\"TrailARN\":\"arn:aws:cloudtrail:us-east-1:123456789012:trail/org\"},"
		    "{\"Name\":\"org\",\"HomeRegion\":\"us-east-1\",\"TrailARN\":\"arn:aws:cloudtrail:us-east-1:123456789012:trail/org\"},"
		    "{\"Name\":\"eu\",\"HomeRegion\":\"eu-west-1\",\"TrailARN\":\"arn:aws:cloudtrail:eu-west-1:123456789012:trail/eu\"}]}");
	else if (strcmp(q->op, "GetTrailStatus") == 0) {
		if (strstr(q->body, "trail/eu") != NULL)
			json_err(r, "com.amazonaws.cloudtrail.v20131101#AccessDeniedException", "no");
		else
			json(r, "{\"IsLogging\":true,\"LatestDeliveryTime\":1.7040672E9}");
	} else if (strcmp(q->op, "GetEventSelectors") == 0)
		json(r, "{\"EventSelectors\":[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true}]}");
	else if (strcmp(q->op, "LookupEvents") == 0 && strstr(q->body, "\"CreateRole\"") == NULL)
		json(r, "{\"Events\":[]}");	/* the change series (change_events) */
	else if (strcmp(q->op, "LookupEvents") == 0) {
		if (nth == 0)
			json(r, "{\"Events\":[{\"EventId\":\"e1\",\"EventTime\":1.7040672E9,"
			    "\"CloudTrailEvent\":" EVENT_RECORD("e1", "2024-01-01T00:00:00Z") "}],"
			    "\"NextToken\":\"t1\"}");
		else if (nth == 1)
			json(r, "{\"Events\":[],\"NextToken\":\"t2\"}");
		else
			json(r, "{\"Events\":[{\"EventId\":\"e1\",\"EventTime\":1704067200,"
			    "\"CloudTrailEvent\":" EVENT_RECORD("e1", "2024-01-01T00:00:00Z") "},"
			    "{\"EventId\":\"e2\",\"EventTime\":1704067300,"
			    "\"CloudTrailEvent\":" EVENT_RECORD("e2", "2024-01-01T00:01:40Z") "}]}");
	} else if (strcmp(q->op, "ListAccessKeys") == 0) {
		res = strstr(q->body, "UserName=alice") ?
		    xstrdup("<AccessKeyMetadata><member><UserName>alice</UserName>"
		    "<AccessKeyId>AKIAALICE</AccessKeyId><Status>Active</Status>"
		    "<CreateDate>2020-01-01T00:00:00Z</CreateDate></member>"
		    "</AccessKeyMetadata><IsTruncated>false</IsTruncated>") :
		    xstrdup("<AccessKeyMetadata><member><UserName>carol,c</UserName>"
		    "<AccessKeyId>AKIACAROL</AccessKeyId><Status>Inactive</Status>"
		    "<CreateDate>2021-01-01T00:00:00Z</CreateDate></member>"
		    "</AccessKeyMetadata><IsTruncated>false</IsTruncated>");
		xml(r, q->op, res);
		free(res);
	} else
		xml_err(r, 400, "InvalidAction", q->op);
}

static struct aws_config cfg;
static struct aws_creds creds = { (char *)"AKIDTEST", (char *)"test-secret", NULL, 0,
	(char *)"test", 0 };

static int
config(void)
{
	struct aws_opts o;
	char url[64], *err = NULL;
	int ok;

	memset(&o, 0, sizeof(o));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", fake.port);
	o.endpoint_url = url;
	o.region = "us-east-1";
	o.max_attempts = 1;
	memset(&cfg, 0, sizeof(cfg));
	ok = aws_config_load(&o, &cfg, &err);
	T(ok, "config: %s", err);
	free(err);
	return ok;
}

static const struct fake_req *
nth_req(const char *op, int n)
{
	int i;

	for (i = 0; i < fake.n; i++)
		if (strcmp(fake.log[i].op, op) == 0 && n-- == 0)
			return &fake.log[i];
	return NULL;
}

static const char *
status_of(const json_t *snap, const char *source)
{
	return json_string_value(jpath(json_object_get(json_object_get(snap, "sources"), source),
	    "status"));
}

/* full_account's last_accessed: polled, paged, one FAILED twice, calls counted. */
static void
t_full_last_accessed(const json_t *snap)
{
	const json_t *p, *s3, *la = jpath(snap, "sources.last_accessed");
	json_t *by = json_object();
	size_t i;

	T_STREQ(status_of(snap, "last_accessed"), "ok");
	json_array_foreach(jpath(la, "data.principals"), i, p)
		json_object_set(by, jstr(p, "Arn"), (json_t *)p);
	T(json_object_size(by) == 3, "%zu principals", json_object_size(by));
	p = json_object_get(by, "arn:aws:iam::123456789012:user/alice");
	T_STREQ(jstr(p, "status"), "ok");
	T_STREQ(jstr(p, "JobCompletionDate"), "2026-11-27T10:00:03.456Z");
	T(json_array_size(json_object_get(p, "ServicesLastAccessed")) == 2, "both pages");
	T(jstr(json_array_get(json_object_get(p, "ServicesLastAccessed"), 0), "LastAuthenticated") == NULL,
	    "iam unused");
	s3 = json_array_get(json_object_get(p, "ServicesLastAccessed"), 1);
	T_STREQ(jstr(s3, "ServiceNamespace"), "s3");
	T_STREQ(jstr(s3, "LastAuthenticated"), "2026-11-20T08:15:00Z");
	T(jpath(s3, "ServiceName") == NULL, "display name kept");
	T(json_array_size(json_object_get(s3, "TrackedActionsLastAccessed")) == 2, "tracked actions");
	T(jstr(json_array_get(json_object_get(s3, "TrackedActionsLastAccessed"), 1),
	    "LastAccessedTime") == NULL, "DeleteBucket unused");
	p = json_object_get(by, "arn:aws:iam::123456789012:user/bob");
	T_STREQ(jstr(p, "status"), "error");
	T_STREQ(json_string_value(jpath(p, "error.code")), "JobFailed");
	T(strstr(json_string_value(jpath(p, "error.message")), "InternalError: internal") != NULL,
	    "%s", json_string_value(jpath(p, "error.message")));
	p = json_object_get(by, "arn:aws:iam::123456789012:role/deploy");
	T_STREQ(jstr(p, "type"), "role");
	T_STREQ(jstr(p, "status"), "ok");
	/* Generate: 3 + bob's retry; Get: alice 3, bob 2, deploy 1. */
	T(jint(jpath(snap, "collection.last_accessed"), "api_calls", 0) == 10, "%lld calls",
	    jint(jpath(snap, "collection.last_accessed"), "api_calls", 0));
	T(strstr(json_string_value(json_array_get(jpath(snap, "collection.problems"), 0)) ?
	    json_string_value(json_array_get(jpath(snap, "collection.problems"), 0)) : "",
	    "last_accessed: 1 of 3 principals not read, first arn:aws:iam::123456789012:user/bob: "
	    "error: JobFailed") != NULL, "problem line");
	json_decref(by);
}

/*
 * The change series (change_events): after CreateRole's, paced with it;
 * one series per IAM name in us-east-1 and per CloudTrail name in each
 * region a trail lives in (us-east-1 and the eu trail's eu-west-1).
 */
static void
t_full_changes(const json_t *snap, const struct fake_req *last_create)
{
	const json_t *regions = jpath(snap, "sources.change_events.data.trail_regions");
	const struct fake_req *q, *prev = last_create;
	int i, n = fake_count("LookupEvents", fake.n), iam = 0, us = 0, eu = 0;

	T_STREQ(status_of(snap, "change_events"), "ok");
	T(json_array_size(regions) == 2 &&
	    !strcmp(json_string_value(json_array_get(regions, 0)), "us-east-1") &&
	    !strcmp(json_string_value(json_array_get(regions, 1)), "eu-west-1"), "trail regions");
	T(json_is_true(jpath(snap, "sources.change_events.data.trail_regions_complete")), "complete");
	/* 3 CreateRole pages, then 8 IAM names + 5 CloudTrail names x 2 regions. */
	T(n == 3 + 8 + 10, "%d LookupEvents calls", n);
	for (i = 3; i < n && (q = nth_req("LookupEvents", i)) != NULL; i++) {
		T(prev == NULL || q->at_ms - prev->at_ms >= 490, "call %d %ld ms after the last", i,
		    prev ? q->at_ms - prev->at_ms : 0);
		if (strstr(q->body, "StopLogging") || strstr(q->body, "DeleteTrail") ||
		    strstr(q->body, "UpdateTrail") || strstr(q->body, "PutEventSelectors") ||
		    strstr(q->body, "PutInsightSelectors")) {
			us += strcmp(q->region, "us-east-1") == 0;
			eu += strcmp(q->region, "eu-west-1") == 0;
		} else
			iam += strcmp(q->region, "us-east-1") == 0;
		prev = q;
	}
	T(iam == 8 && us == 5 && eu == 5, "series: %d IAM, %d + %d CloudTrail", iam, us, eu);
}

static void
t_full_account(void)
{
	struct collect_target t = { NULL, "Production", NULL, NULL };
	struct collect_opts o = { .cfg = &cfg, .since_days = 7, .report_wait_s = 30 };
	const struct fake_req *a, *b, *c, *d;
	json_t *snap, *org, *trails, *events;
	char *err = NULL, *text;
	int i, n;

	setenv("IAMGRADE_LA_POLL_MS", "10", 1);
	fake_start(full_account);
	if (!config())
		goto out;
	org = json_pack("{s:s, s:[{s:s}, {s:s}]}", "id", "o-abc", "accounts",
	    "Id", "123456789012", "Id", "210987654321");
	o.organization = org;
	snap = collect_account(&t, &creds, &o, &err);
	json_decref(org);
	T(snap != NULL, "no snapshot: %s", err);
	if (snap == NULL)
		goto out;
	T_STREQ(jstr(snap, "schema"), SNAP_SCHEMA);
	T_STREQ(json_string_value(jpath(snap, "account.id")), "123456789012");
	T_STREQ(json_string_value(jpath(snap, "account.alias")), "acme-prod");
	T_STREQ(json_string_value(jpath(snap, "account.name")), "Production");
	T_STREQ(json_string_value(jpath(snap, "caller.arn")), "arn:aws:iam::123456789012:user/auditor");
	T_STREQ(json_string_value(jpath(snap, "organization.data.id")), "o-abc");
	T_STREQ(json_string_value(json_array_get(jpath(snap, "organization.data.accounts"), 1)),
	    "210987654321");
	T(json_object_size(json_object_get(snap, "sources")) == 12, "%zu sources",
	    json_object_size(json_object_get(snap, "sources")));
	T_STREQ(status_of(snap, "password_policy"), "absent");
	T_STREQ(status_of(snap, "credential_report"), "ok");
	T_STREQ(status_of(snap, "authorization_details"), "ok");
	t_full_last_accessed(snap);
	T_STREQ(status_of(snap, "trails"), "ok");
	T_STREQ(status_of(snap, "create_role_events"), "ok");
	T_STREQ(status_of(snap, "access_keys"), "ok");
	T(json_array_size(jpath(snap, "sources.authorization_details.data.users")) == 2, "users of two pages");
	T(json_array_size(jpath(snap, "sources.authorization_details.data.policies")) == 0,
	    "unattached AWS policy kept");
	T_STREQ(json_string_value(jpath(json_array_get(jpath(snap,
	    "sources.authorization_details.data.roles"), 0), "AssumeRolePolicyDocument.Version")),
	    "2012-10-17");
	T(jpath(json_array_get(jpath(snap, "sources.virtual_mfa_devices.data"), 0),
	    "Base32StringSeed") == NULL, "MFA seed kept");
	T_STREQ(json_string_value(jpath(json_array_get(jpath(snap,
	    "sources.credential_report.data.rows"), 3), "user")), "carol,c");

	/* Trails: de-duplicated; the eu trail's calls went to eu-west-1; its denial shows. */
	trails = jpath(snap, "sources.trails.data");
	T(json_array_size(trails) == 2, "%zu trails", json_array_size(trails));
	T_STREQ(json_string_value(jpath(json_array_get(trails, 1), "status.status")), "denied");
	T_STREQ(json_string_value(jpath(json_array_get(trails, 1), "status.error.code")),
	    "AccessDeniedException");
	T(json_is_true(jpath(json_array_get(trails, 0), "status.data.IsLogging")), "IsLogging");
	T_STREQ(json_string_value(jpath(json_array_get(trails, 1), "event_selectors.status")), "ok");
	a = nth_req("GetTrailStatus", 1);
	b = nth_req("GetEventSelectors", 1);
	T(a != NULL && strcmp(a->region, "eu-west-1") == 0, "GetTrailStatus signed for %s",
	    a ? a->region : "?");
	T(b != NULL && strcmp(b->region, "eu-west-1") == 0, "GetEventSelectors region");
	T(a != NULL && strstr(a->body, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/eu") != NULL,
	    "GetTrailStatus by ARN: %s", a ? a->body : "");
	a = nth_req("DescribeTrails", 0);
	T(a != NULL && strstr(a->body, "\"includeShadowTrails\":true") != NULL, "DescribeTrails: %s",
	    a ? a->body : "");

	/* Events: three pages, one empty, de-duplicated, paced. */
	events = jpath(snap, "sources.create_role_events.data.events");
	T(json_array_size(events) == 2, "%zu events", json_array_size(events));
	T_STREQ(jstr(json_array_get(events, 0), "EventTime"), "2024-01-01T00:00:00Z");
	T_STREQ(json_string_value(jpath(json_array_get(events, 0), "CloudTrailEvent.eventID")), "e1");
	T_STREQ(json_string_value(jpath(snap, "sources.create_role_events.data.region")), "us-east-1");
	a = nth_req("LookupEvents", 0);
	b = nth_req("LookupEvents", 1);
	c = nth_req("LookupEvents", 2);
	T(a && b && c && strstr(c->body, "CreateRole") &&
	    (d = nth_req("LookupEvents", 3)) != NULL && strstr(d->body, "CreateRole") == NULL,
	    "LookupEvents calls");
	if (a && b && c) {
		T(b->at_ms - a->at_ms >= 490 && c->at_ms - b->at_ms >= 490,
		    "LookupEvents %ld ms and %ld ms apart", b->at_ms - a->at_ms, c->at_ms - b->at_ms);
		T(strstr(a->body, "\"MaxResults\":50") && strstr(a->body, "\"AttributeValue\":\"CreateRole\""),
		    "request: %s", a->body);
		T(strstr(a->body, "NextToken") == NULL && strstr(b->body, "\"NextToken\":\"t1\"") &&
		    strstr(c->body, "\"NextToken\":\"t2\""), "tokens: %s / %s", b->body, c->body);
		/* Same parameters with the token. */
		text = xstrdup(c->body);
		*strstr(text, ",\"NextToken\"") = '\0';
		T(strncmp(a->body, text, strlen(text)) == 0, "parameters changed: %s vs %s", a->body, c->body);
		free(text);
	}
	T(jint(json_object_get(snap, "collection"), "window_days", 0) == 7, "window_days");
	{
		time_t s, e;

		T(time_parse(json_string_value(jpath(snap, "sources.create_role_events.data.start")), &s) &&
		    time_parse(json_string_value(jpath(snap, "sources.create_role_events.data.end")), &e) &&
		    e - s == 7 * 86400, "window");
	}
	t_full_changes(snap, c);

	/* Paging: the marker went back percent-encoded. */
	a = nth_req("ListAccountAliases", 1);
	T(a != NULL && strstr(a->body, "Marker=a%2Fb%2Bc%3D") != NULL, "marker: %s", a ? a->body : "");
	T(a != NULL && strstr(a->body, "MaxItems=1000") != NULL, "MaxItems");
	a = nth_req("GetAccountAuthorizationDetails", 1);
	T(a != NULL && strstr(a->body, "Marker=p2") != NULL, "details marker");

	/*
	 * Keys: only the key holders, never root, never bob.  The calls are
	 * in flight together, in either order; the source lists the keys in
	 * the report's order.
	 */
	n = fake_count("ListAccessKeys", fake.n);
	T(n == 2, "%d ListAccessKeys calls", n);
	a = nth_req("ListAccessKeys", 0);
	b = nth_req("ListAccessKeys", 1);
	if (a != NULL && b != NULL && strstr(a->body, "UserName=alice") == NULL) {
		const struct fake_req *x = a;

		a = b;
		b = x;
	}
	T(a && b && strstr(a->body, "UserName=alice") && strstr(b->body, "UserName=carol%2Cc"),
	    "ListAccessKeys for %s, %s", a ? a->body : "", b ? b->body : "");
	T(json_array_size(jpath(snap, "sources.access_keys.data")) == 2, "keys");
	T_STREQ(jstr(json_array_get(jpath(snap, "sources.access_keys.data"), 0), "UserName"), "alice");

	/*
	 * Credential report: STARTED twice, COMPLETE, then ReportInProgress
	 * sends it back to polling: a fourth GenerateCredentialReport.
	 */
	T(fake_count("GenerateCredentialReport", fake.n) == 4, "%d GenerateCredentialReport",
	    fake_count("GenerateCredentialReport", fake.n));
	T(fake_count("GetCredentialReport", fake.n) == 2, "GetCredentialReport calls");
	T_STREQ(json_string_value(jpath(snap, "sources.credential_report.data.generated_time")),
	    "2026-11-27T09:58:00Z");

	/* Metadata. */
	T(jint(json_object_get(snap, "collection"), "api_calls", 0) == fake.n,
	    "api_calls %lld, server saw %d", jint(json_object_get(snap, "collection"), "api_calls", 0), fake.n);
	T(jint(json_object_get(snap, "collection"), "retries", -1) == 0, "retries");
	T(json_is_false(jpath(snap, "collection.complete")), "complete despite a denied trail");
	/* bob's FAILED job (t_full_last_accessed), then the denied trail. */
	T(json_array_size(jpath(snap, "collection.problems")) == 2, "%zu problems",
	    json_array_size(jpath(snap, "collection.problems")));
	T(strstr(json_string_value(json_array_get(jpath(snap, "collection.problems"), 1)),
	    "trails[eu].status") != NULL, "problem: %s",
	    json_string_value(json_array_get(jpath(snap, "collection.problems"), 1)));
	text = jdump(snap, 0);
	T(strstr(text, "test-secret") == NULL && strstr(text, "SECRETSEED") == NULL, "a secret in the snapshot");
	free(text);
	for (i = 0; i < fake.n; i++)
		T(fake.log[i].op[0] != '\0', "request %d without an operation", i);
	json_decref(snap);
out:
	aws_config_free(&cfg);
	fake_stop();
	free(err);
}

/* The least an account can cost: no trail, no key holder, a fresh report. */
static void
minimal(const struct fake_req *q, int nth, struct fake_resp *r)
{
	char *content, *res;

	if (strcmp(q->op, "GenerateCredentialReport") == 0)
		xml(r, q->op, "<State>COMPLETE</State>");
	else if (strcmp(q->op, "GetCredentialReport") == 0) {
		content = b64(REPORT_HEADER REPORT_ROOT);
		res = xasprintf("<Content>%s</Content>"
		    "<GeneratedTime>2026-11-27T09:58:00Z</GeneratedTime>", content);
		xml(r, q->op, res);
		free(content);
		free(res);
	} else if (strcmp(q->op, "ListAccountAliases") == 0)
		xml(r, q->op, "<IsTruncated>false</IsTruncated><AccountAliases/>");
	else if (strcmp(q->op, "GetAccountAuthorizationDetails") == 0)
		xml(r, q->op, "<IsTruncated>false</IsTruncated>");
	else if (strcmp(q->op, "DescribeTrails") == 0)
		json(r, "{\"trailList\":[]}");
	else if (strcmp(q->op, "LookupEvents") == 0)
		json(r, "{\"Events\":[]}");
	else
		full_account(q, nth, r);
}

static void
t_minimal_account(void)
{
	static const char *const calls[] = { "GetCallerIdentity", "GenerateCredentialReport",
		"ListAccountAliases", "GetAccountPasswordPolicy", "GetAccountSummary",
		"ListVirtualMFADevices", "GetAccountAuthorizationDetails", "DescribeTrails",
		"LookupEvents", "GetCredentialReport", NULL };
	struct collect_target t = { NULL, NULL, NULL, NULL };
	struct collect_opts o = { .cfg = &cfg, .since_days = 0, .report_wait_s = 0, .no_last_accessed = 1 };
	char *err = NULL;
	json_t *snap;
	int i;

	fake_start(minimal);
	if (!config())
		goto out;
	snap = collect_account(&t, &creds, &o, &err);
	T(snap != NULL, "no snapshot: %s", err);
	/*
	 * Each call once.  The independent ones are in flight together, in
	 * any order; what depends on another comes after it: the identity
	 * first, the report after its generation.
	 */
	/* LookupEvents: CreateRole's series and 13 for the changes (no trail: one region). */
	T(fake.n == 10 + 13, "%d calls", fake.n);
	for (i = 0; calls[i] != NULL; i++)
		T(fake_count(calls[i], fake.n) == (strcmp(calls[i], "LookupEvents") ? 1 : 14),
		    "%s: %d calls", calls[i], fake_count(calls[i], fake.n));
	T_STREQ(fake.log[0].op, "GetCallerIdentity");
	for (i = 0; i < fake.n && strcmp(fake.log[i].op, "GetCredentialReport") != 0; i++)
		;
	T(i < fake.n && fake_count("GenerateCredentialReport", i) == 1,
	    "GetCredentialReport before GenerateCredentialReport");
	T(jint(json_object_get(snap, "collection"), "window_days", 0) == 30, "default window");
	T(json_is_null(jpath(snap, "account.alias")), "alias");
	T(json_array_size(jpath(snap, "sources.authorization_details.data.roles")) == 0 &&
	    json_is_array(jpath(snap, "sources.authorization_details.data.roles")), "roles []");
	T(json_array_size(jpath(snap, "sources.access_keys.data")) == 0 &&
	    json_is_array(jpath(snap, "sources.access_keys.data")), "access_keys []");
	T_STREQ(status_of(snap, "credential_report"), "ok");
	/* No policy is data: the collection is still complete. */
	T(json_is_true(jpath(snap, "collection.complete")), "not complete: %s",
	    json_string_value(json_array_get(jpath(snap, "collection.problems"), 0)));
	json_decref(snap);
out:
	aws_config_free(&cfg);
	fake_stop();
	free(err);
}

/*
 * Issue 12, item 1: a credential report AWS would not send (no
 * GeneratedTime; a NUL byte inside the CSV).  The collector writes it as
 * "invalid" with the rule, the loader agrees, and the account is graded on
 * the rest.
 */
static int broken_report;	/* 0: no GeneratedTime, 1: a NUL byte in a name */

static void
invalid_report(const struct fake_req *q, int nth, struct fake_resp *r)
{
	static const char nul_csv[] = REPORT_HEADER REPORT_ROOT
	    "ev\0il,arn:aws:iam::123456789012:user/evil,2020-01-01T00:00:00+00:00,false,N/A,N/A,"
	    "N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
	char *content, *res;

	if (strcmp(q->op, "GetCredentialReport") != 0) {
		minimal(q, nth, r);
		return;
	}
	if (broken_report == 0) {
		content = b64(REPORT_HEADER REPORT_ROOT);
		res = xasprintf("<Content>%s</Content>", content);
	} else {
		content = b64n(nul_csv, sizeof(nul_csv) - 1);
		res = xasprintf("<Content>%s</Content>"
		    "<GeneratedTime>2026-11-27T09:58:00Z</GeneratedTime>", content);
	}
	xml(r, q->op, res);
	free(content);
	free(res);
}

static int
fake_accepted(void)
{
	int n;

	pthread_mutex_lock(&fake.lock);
	n = fake.accepted;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

/*
 * Later accounts reuse the connections the first one left: its clients
 * gave their handles, connections open, to the next ones (the handle
 * pool, collector/aws.c).  Before it, every account, and each of its
 * workers, opened connections of its own, as many as the first did.  A
 * later account may still open one or two (a handle of a worker that
 * found no work had never connected), so the test asks that four more
 * accounts open fewer than the first one did alone.
 */
static void
t_connections_reused(void)
{
	struct collect_target t = { NULL, NULL, NULL, NULL };
	struct collect_opts o = { .cfg = &cfg, .since_days = 0, .report_wait_s = 0, .no_last_accessed = 1 };
	char *err = NULL;
	json_t *snap;
	int i, opened[5] = { 0 };

	setenv("IAMGRADE_LOOKUP_GAP_MS", "1", 1);	/* the pacing is t_full_account's */
	aws_release_connections();			/* none left from earlier fakes */
	fake.accepted = 0;
	fake_start(minimal);
	if (!config())
		goto out;
	for (i = 0; i < 5; i++) {
		snap = collect_account(&t, &creds, &o, &err);
		T(snap != NULL, "account %d: no snapshot: %s", i, err);
		json_decref(snap);
		opened[i] = fake_accepted();
	}
	T(opened[0] > 1, "the first account opened %d connections (its workers run side by side)",
	    opened[0]);
	T(opened[4] - opened[0] < opened[0], "the first account opened %d connections, the next "
	    "four %d (%d %d %d %d in all)", opened[0], opened[4] - opened[0], opened[1], opened[2],
	    opened[3], opened[4]);
	aws_config_free(&cfg);
out:
	fake_stop();
	unsetenv("IAMGRADE_LOOKUP_GAP_MS");
	free(err);
}

/* How many landings run at once (t_landings_bounded). */
static struct {
	pthread_mutex_t	 lock;
	int		 now, most, n;
} landing = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
count_landing(void *arg, struct collect_job *j)
{
	pthread_mutex_lock(&landing.lock);
	landing.n++;
	if (++landing.now > landing.most)
		landing.most = landing.now;
	pthread_mutex_unlock(&landing.lock);
	usleep(100 * 1000);	/* long enough for accounts landing together to overlap */
	pthread_mutex_lock(&landing.lock);
	landing.now--;
	pthread_mutex_unlock(&landing.lock);
}

/*
 * collect_many keeps many accounts in flight (they mostly wait on
 * CloudTrail's pacing) but lands (grades, writes pages) at most one per
 * CPU at a time.  8 accounts on 8 threads land together; on a machine with
 * fewer than 8 CPUs an unbounded landing shows as more than the CPUs.
 */
static void
t_landings_bounded(void)
{
	struct collect_job jobs[8];
	struct collect_opts o = { .cfg = &cfg, .since_days = 0, .report_wait_s = 0, .no_last_accessed = 1 };
	char dir[] = "/tmp/iamgrade-test-XXXXXX";
	cpu_set_t set;
	size_t i, n = sizeof(jobs) / sizeof(jobs[0]), done;
	int cpus = 1;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		cpus = CPU_COUNT(&set);
	setenv("IAMGRADE_LOOKUP_GAP_MS", "1", 1);
	memset(jobs, 0, sizeof(jobs));
	T(mkdtemp(dir) != NULL, "mkdtemp");
	fake_start(minimal);
	if (!config())
		goto out;
	done = collect_many(jobs, n, &creds, &o, dir, (int)n, NULL, count_landing, NULL, NULL);
	T(done == n && landing.n == (int)n, "%zu collected, %d landed", done, landing.n);
	T(landing.most >= 1 && landing.most <= cpus, "%d landings at once on %d CPUs",
	    landing.most, cpus);
	for (i = 0; i < n; i++) {
		T(jobs[i].snapshot != NULL, "account %zu: %s", i, jobs[i].error);
		if (jobs[i].snapshot != NULL)
			unlink(jobs[i].snapshot);
		collect_job_free(&jobs[i]);
	}
	aws_config_free(&cfg);
out:
	rmdir(dir);
	fake_stop();
	unsetenv("IAMGRADE_LOOKUP_GAP_MS");
}

static void
t_invalid_report(void)
{
	static const char *const want[] = {
		"member \"generated_time\" is null, not an ISO 8601 time",
		"a string holds a NUL byte",
	};
	struct collect_target t = { NULL, NULL, NULL, NULL };
	struct collect_opts o = { .cfg = &cfg, .since_days = 0, .report_wait_s = 0, .no_last_accessed = 1 };
	struct check_config cc;
	char dir[] = "/tmp/iamgrade-test-XXXXXX", sha[65];
	char *err = NULL, *path = NULL, *msg;
	json_t *snap = NULL, *loaded = NULL, *acct = NULL, *ctl;
	size_t i;

	check_config_default(&cc);
	T(mkdtemp(dir) != NULL, "mkdtemp");
	fake_start(invalid_report);
	if (!config())
		goto out;
	snap = collect_account(&t, &creds, &o, &err);
	T(snap != NULL, "no snapshot: %s", err);
	if (snap == NULL)
		goto out;
	T_STREQ(status_of(snap, "credential_report"), "invalid");
	T_STREQ(json_string_value(jpath(snap, "sources.credential_report.error.code")), "InvalidData");
	msg = (char *)json_string_value(jpath(snap, "sources.credential_report.error.message"));
	T(msg != NULL && strstr(msg, want[broken_report]) != NULL, "message: %s", msg ? msg : "");
	T(json_is_object(jpath(snap, "sources.credential_report.data")), "the data is kept");
	/* The keys depend on the report: nobody is asked. */
	T_STREQ(status_of(snap, "access_keys"), "error");
	T_STREQ(json_string_value(jpath(snap, "sources.access_keys.error.code")), "DependencyFailed");
	T(json_is_false(jpath(snap, "collection.complete")), "complete with an invalid report");
	T(strstr(json_string_value(json_array_get(jpath(snap, "collection.problems"), 0)),
	    "credential_report: iam:GetCredentialReport invalid: InvalidData") != NULL, "problem: %s",
	    json_string_value(json_array_get(jpath(snap, "collection.problems"), 0)));

	/* What the collector writes, the loader reads, with the same verdict. */
	T(snapshot_write(dir, snap, &path, &err), "write: %s", err);
	if (path == NULL)
		goto out;
	T(snap_load(path, &loaded, sha, &err), "load: %s", err);
	if (loaded == NULL)
		goto out;
	T(json_equal(json_object_get(loaded, "sources"), json_object_get(snap, "sources")),
	    "the loader changed the sources");
	acct = check_account(loaded, path, sha, &cc);
	T(acct != NULL, "not graded");
	json_array_foreach(json_object_get(acct, "controls"), i, ctl) {
		const char *id = jstr(ctl, "id"), *st = jstr(ctl, "status");

		if (strcmp(id, "ROOT-01") == 0 || strcmp(id, "USER-01") == 0 ||
		    strcmp(id, "USER-04") == 0)
			T(strcmp(st, "NOT_EVALUATED") == 0 && strstr(jstr(ctl, "reason"),
			    want[broken_report]) != NULL, "%s %s: %s", id, st, jstr(ctl, "reason"));
		else if (strcmp(id, "USER-07") == 0 || strcmp(id, "ROOT-02") == 0)
			T(strcmp(st, "NOT_EVALUATED") != 0, "%s not graded on the rest: %s", id,
			    jstr(ctl, "reason"));
	}
out:
	if (path != NULL)
		unlink(path);
	rmdir(dir);
	json_decref(snap);
	json_decref(loaded);
	json_decref(acct);
	check_config_free(&cc);
	aws_config_free(&cfg);
	fake_stop();
	free(path);
	free(err);
}

static void
bad_signature(const struct fake_req *q, int nth, struct fake_resp *r)
{
	xml_err(r, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match");
}

static void
t_bad_signature(void)
{
	struct collect_target t = { NULL, NULL, NULL, NULL };
	struct collect_opts o = { .cfg = &cfg, .since_days = 30, .report_wait_s = 30, .no_last_accessed = 1 };
	char *err = NULL, *want;
	json_t *snap;

	fake_start(bad_signature);
	if (!config())
		goto out;
	snap = collect_account(&t, &creds, &o, &err);
	T(snap == NULL, "a snapshot for unknown credentials");
	want = xasprintf("http://127.0.0.1:%d", fake.port);
	T(err != NULL && strncmp(err, want, strlen(want)) == 0 &&
	    strstr(err, ": SignatureDoesNotMatch: The request signature") != NULL, "message: %s", err);
	T(fake.n == 1, "%d calls after a failed GetCallerIdentity", fake.n);
	free(want);
	json_decref(snap);
out:
	aws_config_free(&cfg);
	fake_stop();
	free(err);
}

static void
role_refused(const struct fake_req *q, int nth, struct fake_resp *r)
{
	if (strcmp(q->op, "AssumeRole") == 0)
		xml_err(r, 403, "AccessDenied", "User: x is not authorized to perform: sts:AssumeRole");
	else
		full_account(q, nth, r);
}

static void
t_role_refused(void)
{
	struct collect_target t = { NULL, "Dev", "arn:aws:iam::210987654321:role/Audit", "ext" };
	struct collect_opts o = { .cfg = &cfg, .since_days = 30, .report_wait_s = 30, .no_last_accessed = 1 };
	const char *const *s, *const names[] = { "caller_identity", "account_aliases",
		"credential_report", "password_policy", "account_summary", "virtual_mfa_devices",
		"access_keys", "authorization_details", "trails", "create_role_events", NULL };
	char *err = NULL;
	json_t *snap;

	fake_start(role_refused);
	if (!config())
		goto out;
	snap = collect_account(&t, &creds, &o, &err);
	T(snap != NULL, "no snapshot for a known account: %s", err);
	if (snap == NULL)
		goto out;
	T_STREQ(json_string_value(jpath(snap, "account.id")), "210987654321");
	T_STREQ(json_string_value(jpath(snap, "account.name")), "Dev");
	T(json_is_null(json_object_get(snap, "caller")), "caller");
	T(json_is_false(jpath(snap, "collection.complete")), "complete");
	/* One line for the account, not one per source. */
	T(json_array_size(jpath(snap, "collection.problems")) == 1, "problems");
	T(strncmp(json_string_value(json_array_get(jpath(snap, "collection.problems"), 0)),
	    "account not reached: sts:AssumeRole denied: AccessDenied", 56) == 0,
	    "problem: %s", json_string_value(json_array_get(jpath(snap, "collection.problems"), 0)));
	for (s = names; *s != NULL; s++) {
		json_t *src = json_object_get(json_object_get(snap, "sources"), *s);

		T_STREQ(jstr(src, "status"), "denied");
		T_STREQ(jstr(src, "api_call"), "sts:AssumeRole");
		T(jint(json_object_get(src, "error"), "http_status", 0) == 403, "http_status");
		T(strncmp(json_string_value(jpath(src, "error.message")),
		    "cannot assume arn:aws:iam::210987654321:role/Audit: User: x is not", 62) == 0,
		    "message: %s", json_string_value(jpath(src, "error.message")));
	}
	T(fake.n == 1, "%d calls", fake.n);
	T(fake.n == 1 && strstr(fake.log[0].body, "ExternalId=ext") != NULL &&
	    strstr(fake.log[0].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2FAudit") != NULL,
	    "AssumeRole body: %s", fake.n ? fake.log[0].body : "");
	T(jint(json_object_get(snap, "collection"), "api_calls", 0) == 1, "api_calls");
	json_decref(snap);
out:
	aws_config_free(&cfg);
	fake_stop();
	free(err);
}

static void
mismatch(const struct fake_req *q, int nth, struct fake_resp *r)
{
	identity(r);
}

static void
t_account_mismatch(void)
{
	struct collect_target t = { "111111111111", NULL, NULL, NULL };
	struct collect_opts o = { .cfg = &cfg, .since_days = 30, .report_wait_s = 30, .no_last_accessed = 1 };
	char *err = NULL;
	json_t *snap;

	fake_start(mismatch);
	if (!config())
		goto out;
	snap = collect_account(&t, &creds, &o, &err);
	T(snap != NULL, "no snapshot: %s", err);
	T_STREQ(json_string_value(jpath(snap, "account.id")), "111111111111");
	T_STREQ(json_string_value(jpath(snap, "sources.password_policy.error.code")), "AccountMismatch");
	T(fake.n == 1, "%d calls into the wrong account", fake.n);
	json_decref(snap);
out:
	aws_config_free(&cfg);
	fake_stop();
	free(err);
}

/* The report never completes; a summary that is not XML; a role that works. */
static void
stuck(const struct fake_req *q, int nth, struct fake_resp *r)
{
	if (strcmp(q->op, "AssumeRole") == 0)
		xml(r, q->op, "<Credentials><AccessKeyId>ASIAROLE</AccessKeyId>"
		    "<SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token</SessionToken>"
		    "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
		    "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/A/s</Arn>"
		    "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>");
	else if (strcmp(q->op, "GenerateCredentialReport") == 0)
		xml(r, q->op, "<State>INPROGRESS</State>");
	else if (strcmp(q->op, "GetAccountSummary") == 0)
		r->body = xstrdup("<html><body>Service Unavailable</body>");
	else if (strcmp(q->op, "LookupEvents") == 0)
		json(r, "{\"Events\": \"none\"}");
	else
		full_account(q, nth, r);
}

static void
t_report_timeout(void)
{
	struct collect_target t = { NULL, NULL, "arn:aws:iam::123456789012:role/A", NULL };
	struct collect_opts o = { .cfg = &cfg, .since_days = 30, .report_wait_s = 1, .no_last_accessed = 1 };
	char *err = NULL, *text;
	json_t *snap;
	long t0;

	setenv("IAMGRADE_REPORT_POLL_MS", "50", 1);
	fake_start(stuck);
	if (!config())
		goto out;
	t0 = now_ms();
	snap = collect_account(&t, &creds, &o, &err);
	T(snap != NULL, "no snapshot: %s", err);
	T(now_ms() - t0 < 5000, "took %ld ms", now_ms() - t0);
	T_STREQ(json_string_value(jpath(snap, "sources.credential_report.status")), "error");
	T_STREQ(json_string_value(jpath(snap, "sources.credential_report.error.code")), "ReportTimeout");
	T_STREQ(json_string_value(jpath(snap, "sources.credential_report.error.message")),
	    "credential report not COMPLETE after 1 s");
	T_STREQ(json_string_value(jpath(snap, "sources.access_keys.error.code")), "DependencyFailed");
	T(fake_count("ListAccessKeys", fake.n) == 0, "ListAccessKeys without a report");
	T_STREQ(json_string_value(jpath(snap, "sources.account_summary.error.code")), "MalformedResponse");
	T(strstr(json_string_value(jpath(snap, "sources.account_summary.error.message")),
	    "iam:GetAccountSummary") != NULL, "message names the call");
	T_STREQ(json_string_value(jpath(snap, "sources.create_role_events.error.code")), "MalformedResponse");
	T_STREQ(json_string_value(jpath(snap, "sources.password_policy.status")), "absent");
	T_STREQ(json_string_value(jpath(snap, "caller.arn")), "arn:aws:iam::123456789012:user/auditor");
	/* The assumed role's keys signed everything after AssumeRole. */
	text = jdump(snap, 0);
	T(strstr(text, "role-secret") == NULL && strstr(text, "role-token") == NULL, "secret stored");
	free(text);
	json_decref(snap);
out:
	unsetenv("IAMGRADE_REPORT_POLL_MS");
	aws_config_free(&cfg);
	fake_stop();
	free(err);
}

/*
 * Pagination guards, as data: one paginated call misbehaves (the same
 * marker again, two markers in turn, a fresh marker forever, padded
 * pages) while the rest of the account answers as full_account does; the
 * source ends with the status and code given, every other source as
 * before.  Caps are lowered through the environment.
 */
enum pmode { P_REPEAT, P_ALTERNATE, P_ENDLESS };

static const struct pcase {
	const char	*op;		/* the misbehaving call */
	enum pmode	 mode;
	size_t		 pad;		/* bytes of padding per page */
	const char	*env, *val;	/* a cap lowered, or NULL */
	const char	*source;	/* the snapshot's source */
	const char	*status, *code;
	int		 calls;		/* calls of op made (for scope), 0: not checked */
	int		 items;		/* items kept (partial), -1: not checked */
	const char	*scope;		/* count only calls whose body has this, or NULL */
} pcases[] = {
	{ "ListVirtualMFADevices", P_ALTERNATE, 0, NULL, NULL, "virtual_mfa_devices",
	    "error", "PaginationLoop", 3, -1, NULL },
	{ "GetAccountAuthorizationDetails", P_REPEAT, 0, NULL, NULL, "authorization_details",
	    "error", "PaginationLoop", 2, -1, NULL },
	/* alice and carol are listed together: each has a loop of its own. */
	{ "ListAccessKeys", P_ALTERNATE, 0, NULL, NULL, "access_keys",
	    "error", "PaginationLoop", 3, -1, "UserName=alice&" },
	{ "ListAccountAliases", P_ENDLESS, 0, "IAMGRADE_MAX_PAGES", "5", "account_aliases",
	    "partial", "PageLimit", 5, 5, NULL },
	{ "GetAccountAuthorizationDetails", P_ENDLESS, 1000, "IAMGRADE_MAX_SOURCE_BYTES", "3000",
	    "authorization_details", "partial", "ByteLimit", 3, 3, NULL },
	{ "LookupEvents", P_ALTERNATE, 0, NULL, NULL, "create_role_events",
	    "error", "PaginationLoop", 3, -1, "\"CreateRole\"" },
	{ "LookupEvents", P_ENDLESS, 0, "IAMGRADE_MAX_EVENTS", "3", "create_role_events",
	    "partial", "ItemLimit", 3, 3, "\"CreateRole\"" },
	/* The change series have the same guards (one pager for all their series). */
	{ "LookupEvents", P_ALTERNATE, 0, NULL, NULL, "change_events",
	    "error", "PaginationLoop", 3, -1, "\"StopLogging\"" },
	{ "LookupEvents", P_ENDLESS, 0, "IAMGRADE_MAX_EVENTS", "3", "change_events",
	    "partial", "ItemLimit", 3, 3, "\"PutRolePolicy\"" },
};
static const struct pcase *pcase;

/* Requests so far naming op whose body holds scope (this one included). */
static int
fake_count_scoped(const char *op, const char *scope)
{
	int i, n = 0;

	pthread_mutex_lock(&fake.lock);
	for (i = 0; i < fake.n; i++)
		if (strcmp(fake.log[i].op, op) == 0 && strstr(fake.log[i].body, scope) != NULL)
			n++;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

static char *
pmarker(const struct pcase *c, int nth)
{
	switch (c->mode) {
	case P_REPEAT:
		return xstrdup("m-same");
	case P_ALTERNATE:
		return xstrdup(nth % 2 == 0 ? "m-a" : "m-b");
	default:
		return xasprintf("m-%d", nth);
	}
}

static void
paging(const struct fake_req *q, int nth, struct fake_resp *r)
{
	char *m, *pad, *res;

	/* Of LookupEvents, the series the case names pages; the others are full_account's. */
	if (strcmp(q->op, pcase->op) != 0 ||
	    (strcmp(q->op, "LookupEvents") == 0 && strstr(q->body, pcase->scope) == NULL)) {
		full_account(q, nth, r);
		return;
	}
	if (pcase->scope != NULL)
		nth = fake_count_scoped(q->op, strstr(q->body, pcase->scope) ?
		    pcase->scope : "UserName=carol") - 1;
	m = pmarker(pcase, nth);
	pad = xcalloc(1, pcase->pad + 1);
	memset(pad, 'x', pcase->pad);
	if (strcmp(q->op, "LookupEvents") == 0)
		res = xasprintf("{\"Events\":[{\"EventId\":\"e%d\",\"EventTime\":1704067200,"
		    "\"CloudTrailEvent\":\"{\\\"eventName\\\":\\\"CreateRole\\\","
		    "\\\"eventTime\\\":\\\"2024-01-01T00:00:00Z\\\",\\\"eventID\\\":\\\"e%d\\\","
		    "\\\"userIdentity\\\":{}}\"}],"
		    "\"NextToken\":\"%s\",\"Pad\":\"%s\"}", nth, nth, m, pad);
	else if (strcmp(q->op, "GetAccountAuthorizationDetails") == 0)
		res = xasprintf("<IsTruncated>true</IsTruncated><Marker>%s</Marker>"
		    "<UserDetailList><member><UserName>u%d</UserName><Path>/%s/</Path>"
		    "<Arn>arn:aws:iam::123456789012:user/u%d</Arn></member>"
		    "</UserDetailList>", m, nth, pad, nth);
	else if (strcmp(q->op, "ListAccountAliases") == 0)
		res = xasprintf("<IsTruncated>true</IsTruncated><Marker>%s</Marker>"
		    "<AccountAliases><member>a%d</member></AccountAliases>", m, nth);
	else if (strcmp(q->op, "ListAccessKeys") == 0)
		res = xasprintf("<IsTruncated>true</IsTruncated><Marker>%s</Marker>"
		    "<AccessKeyMetadata><member><UserName>alice</UserName><AccessKeyId>AKIA%d"
		    "</AccessKeyId></member></AccessKeyMetadata>", m, nth);
	else
		res = xasprintf("<IsTruncated>true</IsTruncated><Marker>%s</Marker>"
		    "<VirtualMFADevices><member><SerialNumber>arn:aws:iam::123456789012:mfa/d%d"
		    "</SerialNumber></member></VirtualMFADevices>", m, nth);
	if (strcmp(q->op, "LookupEvents") == 0)
		json(r, res);
	else
		xml(r, q->op, res);
	free(res);
	free(pad);
	free(m);
}

/* The items a partial source kept. */
static size_t
pitems(const json_t *src)
{
	const json_t *d = json_object_get(src, "data");

	if (json_is_array(d))
		return json_array_size(d);
	if (json_object_get(d, "aliases") != NULL)
		return json_array_size(json_object_get(d, "aliases"));
	if (json_object_get(d, "events") != NULL)
		return json_array_size(json_object_get(d, "events"));
	return json_array_size(json_object_get(d, "users"));
}

static void
t_paging_guards(void)
{
	static const char *const others[] = { "account_aliases", "virtual_mfa_devices",
		"authorization_details", "access_keys", "create_role_events", NULL };
	struct collect_target t = { NULL, NULL, NULL, NULL };
	struct collect_opts o = { .cfg = &cfg, .since_days = 7, .report_wait_s = 30, .no_last_accessed = 1 };
	const json_t *src;
	const char *msg;
	char *err = NULL;
	json_t *snap;
	size_t i, k;

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		pcase = &pcases[i];
		if (pcase->env != NULL)
			setenv(pcase->env, pcase->val, 1);
		fake_start(paging);
		if (!config())
			goto next;
		snap = collect_account(&t, &creds, &o, &err);
		T(snap != NULL, "%s: no snapshot: %s", pcase->op, err);
		src = jpath(snap, "sources");
		src = json_object_get(src, pcase->source);
		msg = json_string_value(jpath(src, "error.message"));
		T_STREQ(jstr(src, "status"), pcase->status);
		T_STREQ(json_string_value(jpath(src, "error.code")), pcase->code);
		T(msg != NULL && strstr(msg, pcase->op) != NULL, "%s: message names the call: %s",
		    pcase->op, msg ? msg : "");
		if (strcmp(pcase->code, "PaginationLoop") == 0)
			T(msg != NULL && strstr(msg, "\"m-") != NULL, "names the marker: %s", msg);
		if (pcase->calls > 0) {
			int n = pcase->scope ? fake_count_scoped(pcase->op, pcase->scope) :
			    fake_count(pcase->op, fake.n);

			T(n == pcase->calls, "%s: %d calls, not %d", pcase->op, n, pcase->calls);
		}
		if (pcase->items >= 0)
			T(pitems(src) == (size_t)pcase->items, "%s: %zu items kept, not %d",
			    pcase->op, pitems(src), pcase->items);
		T(json_is_false(jpath(snap, "collection.complete")), "%s: incomplete", pcase->op);
		/* Every other source as full_account has it. */
		for (k = 0; others[k] != NULL; k++)
			if (strcmp(others[k], pcase->source) != 0)
				T_STREQ(status_of(snap, others[k]), "ok");
		json_decref(snap);
		aws_config_free(&cfg);
next:
		fake_stop();
		if (pcase->env != NULL)
			unsetenv(pcase->env);
	}
	free(err);
}

static void
org(const struct fake_req *q, int nth, struct fake_resp *r)
{
	if (strcmp(q->op, "DescribeOrganization") == 0)
		json(r, "{\"Organization\":{\"Id\":\"o-abc\",\"MasterAccountId\":\"123456789012\"}}");
	else if (nth == 0)
		json(r, "{\"Accounts\":[{\"Id\":\"123456789012\",\"Name\":\"mgmt\"}],\"NextToken\":\"n1\"}");
	else if (nth == 1)
		json(r, "{\"Accounts\":[],\"NextToken\":\"n2\"}");
	else
		json(r, "{\"Accounts\":[{\"Id\":\"210987654321\",\"Name\":\"dev\",\"Status\":\"ACTIVE\"}]}");
}

static void
not_in_org(const struct fake_req *q, int nth, struct fake_resp *r)
{
	json_err(r, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
}

static void
t_organizations(void)
{
	struct aws_client *c;
	char *err = NULL;
	json_t *o;

	fake_start(org);
	if (config()) {
		c = aws_client_new(&cfg, &creds);
		o = orgs_list_accounts(c, &err);
		T(o != NULL, "ListAccounts: %s", err);
		T_STREQ(jstr(o, "id"), "o-abc");
		T_STREQ(jstr(o, "management_account"), "123456789012");
		T(json_array_size(json_object_get(o, "accounts")) == 2, "accounts");
		T_STREQ(jstr(json_array_get(json_object_get(o, "accounts"), 1), "Name"), "dev");
		T(fake.n == 4 && strstr(fake.log[3].body, "\"NextToken\":\"n2\""), "calls");
		json_decref(o);
		aws_client_free(c);
		aws_config_free(&cfg);
	}
	fake_stop();
	fake_start(not_in_org);
	if (config()) {
		c = aws_client_new(&cfg, &creds);
		o = orgs_list_accounts(c, &err);
		T(o == NULL && err != NULL && strstr(err, "not a member of an organization"), "message: %s", err);
		aws_client_free(c);
		aws_config_free(&cfg);
	}
	fake_stop();
	free(err);
}

/* ListAccounts in turn with two tokens, or listing bad ids and duplicates. */
static int org_loop;

static void
org_hostile(const struct fake_req *q, int nth, struct fake_resp *r)
{
	if (strcmp(q->op, "DescribeOrganization") == 0)
		json(r, "{\"Organization\":{\"Id\":\"o-abc\",\"MasterAccountId\":\"123456789012\"}}");
	else if (org_loop)
		json(r, nth % 2 == 0 ? "{\"Accounts\":[],\"NextToken\":\"tok-a\"}" :
		    "{\"Accounts\":[],\"NextToken\":\"tok-b\"}");
	else if (nth == 0)
		json(r, "{\"Accounts\":[{\"Id\":\"123456789012\",\"Name\":\"mgmt\"},"
		    "{\"Id\":\"12345\",\"Name\":\"short\\u001b]0;pwned\\u0007\"},"
		    "{\"Id\":\"1234567890123\",\"Name\":\"long\"},"
		    "{\"Id\":\"11112222333\\u0663\",\"Name\":\"arabic digit\"},"
		    "{\"Id\":123456789012,\"Name\":\"number\"},"
		    "{\"Name\":\"no id\"}, \"not an object\"],\"NextToken\":\"n1\"}");
	else
		json(r, "{\"Accounts\":[{\"Id\":\"210987654321\",\"Name\":\"dev\"},"
		    "{\"Id\":\"123456789012\",\"Name\":\"mgmt again\"}]}");
}

static void
t_organizations_hostile(void)
{
	struct aws_client *c;
	char *err = NULL, *all;
	json_t *o, *probs;
	size_t i;

	fake_start(org_hostile);
	if (config()) {
		c = aws_client_new(&cfg, &creds);
		o = orgs_list_accounts(c, &err);
		T(o != NULL, "ListAccounts: %s", err);
		T(json_array_size(json_object_get(o, "accounts")) == 2, "two accounts kept, not %zu",
		    json_array_size(json_object_get(o, "accounts")));
		T_STREQ(jstr(json_array_get(json_object_get(o, "accounts"), 0), "Name"), "mgmt");
		T_STREQ(jstr(json_array_get(json_object_get(o, "accounts"), 1), "Id"), "210987654321");
		probs = json_object_get(o, "problems");
		T(json_array_size(probs) == 7, "%zu problems", json_array_size(probs));
		all = xstrdup("");
		for (i = 0; i < json_array_size(probs); i++) {
			char *n = xasprintf("%s%s\n", all, json_string_value(json_array_get(probs, i)));

			free(all);
			all = n;
		}
		T(strstr(all, "\"12345\"") && strstr(all, "\"1234567890123\"") &&
		    strstr(all, "not a string") && strstr(all, "no Id") &&
		    strstr(all, "account 123456789012 is listed twice: collected once"),
		    "problems: %s", all);
		free(all);
		json_decref(o);
		aws_client_free(c);
		aws_config_free(&cfg);
	}
	fake_stop();
	org_loop = 1;
	fake_start(org_hostile);
	if (config()) {
		c = aws_client_new(&cfg, &creds);
		o = orgs_list_accounts(c, &err);
		T(o == NULL && err != NULL && strstr(err, "organizations:ListAccounts") &&
		    strstr(err, "PaginationLoop") && strstr(err, "tok-a"), "loop: %s", err);
		T(fake_count("ListAccounts", fake.n) == 3, "stopped at the third page");
		aws_client_free(c);
		aws_config_free(&cfg);
	}
	fake_stop();
	free(err);
}

int
main(void)
{
	/* Nothing from the machine's AWS set-up may leak into these tests. */
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_PROFILE");
	setenv("IAMGRADE_REPORT_POLL_MS", "20", 1);
	log_level = 0;
	RUN(t_full_account);
	RUN(t_minimal_account);
	RUN(t_connections_reused);
	RUN(t_landings_bounded);
	broken_report = 0;
	RUN(t_invalid_report);
	broken_report = 1;
	RUN(t_invalid_report);
	RUN(t_bad_signature);
	RUN(t_role_refused);
	RUN(t_account_mismatch);
	RUN(t_report_timeout);
	RUN(t_organizations);
	RUN(t_paging_guards);
	RUN(t_organizations_hostile);
	return t_done();
}

#!/usr/bin/env node
// The benchmark's fake AWS (make bench, stage "scale"): IAM, STS,
// CloudTrail and Organizations answers for a synthetic organization, each
// after a fixed latency and costing nothing else: every answer is built
// once per account and kept, so the only time a call takes is the delay.
// It checks no signatures (the test bed's moto does that); it tells the
// accounts apart by the access key id in the Authorization header, which
// its AssumeRole hands out as "ASIA" + the account id.
//
//   node fakeaws.js PORTFILE  (environment: FAKE_ACCOUNTS, FAKE_USERS,
//   FAKE_KEY_HOLDERS, FAKE_EVENTS, FAKE_LATENCY_MS, FAKE_ROLE)
//
// Writes the port it listens on to PORTFILE.  GET /__stats answers the
// calls by action, the first and last request times (ms since the epoch),
// overall and by action, the connections opened and the most open at once;
// POST /__reset clears them.
"use strict";
const http = require("http");
const fs = require("fs");

const N = parseInt(process.env.FAKE_ACCOUNTS || "100", 10);
const USERS = parseInt(process.env.FAKE_USERS || "100", 10);
const HOLDERS = parseInt(process.env.FAKE_KEY_HOLDERS || "10", 10);
const EVENTS = parseInt(process.env.FAKE_EVENTS || "20", 10);
const LATENCY = parseInt(process.env.FAKE_LATENCY_MS || "50", 10);
const ROLE = process.env.FAKE_ROLE || "iamgrade-audit";
const MGMT = "100000000000";
const NOW = Math.floor(Date.now() / 1000);
const ISO = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const CREATED = ISO(NOW - 400 * 86400);

function acctId(i) { return String(100000000000 + i); }
const IDS = Array.from({ length: N }, (_, i) => acctId(i));
const KNOWN = new Set(IDS);

function esc(s) {
	return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function query(op, inner, ns) {
	return `<${op}Response xmlns="${ns || "https://iam.amazonaws.com/doc/2010-05-08/"}">` +
	    `<${op}Result>${inner}</${op}Result><ResponseMetadata><RequestId>fake</RequestId>` +
	    `</ResponseMetadata></${op}Response>`;
}
function members(list, fn) { return list.map((x) => `<member>${fn(x)}</member>`).join(""); }

const HEADER = "user,arn,user_creation_time,password_enabled,password_last_used," +
    "password_last_changed,password_next_rotation,mfa_active,access_key_1_active," +
    "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region," +
    "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated," +
    "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
    "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
const ROTATED = ISO(NOW - 30 * 86400).replace("Z", "+00:00");
const CREATED_CR = CREATED.replace("Z", "+00:00");

function userName(i) { return `user${String(i).padStart(5, "0")}`; }
function userId(a, i) { return `AIDA${a}${String(i).padStart(5, "0")}`.slice(0, 21); }
function keyId(a, i) { return `AKIA${a}${String(i).padStart(4, "0")}`; }

// Everything one account answers, built on first use and kept.
const cache = new Map();
function account(a) {
	let x = cache.get(a);
	if (x) return x;
	const rows = [HEADER, `<root_account>,arn:aws:iam::${a}:root,${CREATED_CR},not_supported,` +
	    `N/A,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`];
	for (let i = 0; i < USERS; i++) {
		const k = i < HOLDERS;
		rows.push(`${userName(i)},arn:aws:iam::${a}:user/${userName(i)},${CREATED_CR},false,N/A,N/A,N/A,` +
		    `false,${k},${k ? ROTATED : "N/A"},N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`);
	}
	const csv = Buffer.from(rows.join("\n") + "\n").toString("base64");
	const users = Array.from({ length: USERS }, (_, i) => i);
	const trust = encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [{
	    Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MGMT}:root` }, Action: "sts:AssumeRole" }] }));
	const details = query("GetAccountAuthorizationDetails", "<IsTruncated>false</IsTruncated>" +
	    "<UserDetailList>" + members(users, (i) => `<Path>/</Path><UserName>${userName(i)}</UserName>` +
	    `<UserId>${userId(a, i)}</UserId><Arn>arn:aws:iam::${a}:user/${userName(i)}</Arn>` +
	    `<CreateDate>${CREATED}</CreateDate><UserPolicyList/><GroupList/><AttachedManagedPolicies/>`) +
	    "</UserDetailList><GroupDetailList/>" +
	    "<RoleDetailList>" + members([0], () => `<Path>/</Path><RoleName>${ROLE}</RoleName>` +
	    `<RoleId>AROA${a}00000</RoleId><Arn>arn:aws:iam::${a}:role/${ROLE}</Arn>` +
	    `<CreateDate>${CREATED}</CreateDate><AssumeRolePolicyDocument>${trust}</AssumeRolePolicyDocument>` +
	    "<InstanceProfileList/><RolePolicyList/><AttachedManagedPolicies>" +
	    "<member><PolicyName>SecurityAudit</PolicyName><PolicyArn>arn:aws:iam::aws:policy/SecurityAudit</PolicyArn></member>" +
	    "</AttachedManagedPolicies>") + "</RoleDetailList><Policies/>");
	const trailArn = `arn:aws:cloudtrail:us-east-1:${a}:trail/main`;
	const events = [];
	for (let i = 0; i < EVENTS; i++) {
		const t = NOW - 3600 * (i + 1);
		const rec = { eventVersion: "1.08", eventTime: ISO(t), eventSource: "iam.amazonaws.com",
		    eventName: "CreateRole", awsRegion: "us-east-1", sourceIPAddress: "192.0.2.1",
		    userAgent: "aws-cli/2", eventID: `ev-${a}-${i}`, eventType: "AwsApiCall",
		    readOnly: false, recipientAccountId: a,
		    userIdentity: { type: "IAMUser", principalId: userId(a, 0), arn: `arn:aws:iam::${a}:user/${userName(0)}`,
		        accountId: a, userName: userName(0) },
		    requestParameters: { roleName: `role${i}`, assumeRolePolicyDocument: decodeURIComponent(trust) },
		    responseElements: { role: { roleName: `role${i}`, arn: `arn:aws:iam::${a}:role/role${i}`,
		        roleId: `AROA${a}${String(i).padStart(5, "0")}`, path: "/", createDate: ISO(t) } } };
		events.push({ EventId: rec.eventID, EventName: "CreateRole", ReadOnly: "false",
		    EventTime: t, EventSource: "iam.amazonaws.com", Username: userName(0),
		    Resources: [{ ResourceType: "AWS::IAM::Role", ResourceName: `role${i}` }],
		    CloudTrailEvent: JSON.stringify(rec) });
	}
	const pages = [];
	for (let i = 0; i < Math.max(events.length, 1); i += 50)
		pages.push(events.slice(i, i + 50));
	x = {
		identity: query("GetCallerIdentity", `<Arn>arn:aws:sts::${a}:assumed-role/${ROLE}/iamgrade</Arn>` +
		    `<UserId>AROA${a}00000:iamgrade</UserId><Account>${a}</Account>`, "https://sts.amazonaws.com/doc/2011-06-15/"),
		GenerateCredentialReport: query("GenerateCredentialReport", "<State>COMPLETE</State>"),
		GetCredentialReport: query("GetCredentialReport", `<Content>${csv}</Content>` +
		    `<ReportFormat>text/csv</ReportFormat><GeneratedTime>${ISO(NOW)}</GeneratedTime>`),
		ListAccountAliases: query("ListAccountAliases", `<IsTruncated>false</IsTruncated>` +
		    `<AccountAliases><member>acct-${a}</member></AccountAliases>`),
		GetAccountPasswordPolicy: query("GetAccountPasswordPolicy", "<PasswordPolicy>" +
		    "<AllowUsersToChangePassword>true</AllowUsersToChangePassword>" +
		    "<RequireLowercaseCharacters>true</RequireLowercaseCharacters>" +
		    "<RequireUppercaseCharacters>true</RequireUppercaseCharacters>" +
		    "<MinimumPasswordLength>14</MinimumPasswordLength><RequireNumbers>true</RequireNumbers>" +
		    "<PasswordReusePrevention>24</PasswordReusePrevention><RequireSymbols>true</RequireSymbols>" +
		    "<ExpirePasswords>true</ExpirePasswords><MaxPasswordAge>90</MaxPasswordAge></PasswordPolicy>"),
		GetAccountSummary: query("GetAccountSummary", "<SummaryMap>" +
		    [["AccountMFAEnabled", 1], ["AccountAccessKeysPresent", 0], ["AccountPasswordPresent", 1],
		     ["AccountSigningCertificatesPresent", 0], ["Users", USERS], ["Roles", 1],
		     ["MFADevices", 0], ["MFADevicesInUse", 0]]
		        .map(([k, v]) => `<entry><key>${k}</key><value>${v}</value></entry>`).join("") + "</SummaryMap>"),
		ListVirtualMFADevices: query("ListVirtualMFADevices", "<IsTruncated>false</IsTruncated><VirtualMFADevices/>"),
		GetAccountAuthorizationDetails: details,
		DescribeTrails: JSON.stringify({ trailList: [{ Name: "main", S3BucketName: `logs-${a}`,
		    IncludeGlobalServiceEvents: true, IsMultiRegionTrail: true, HomeRegion: "us-east-1",
		    TrailARN: trailArn, LogFileValidationEnabled: true, HasCustomEventSelectors: false,
		    HasInsightSelectors: false, IsOrganizationTrail: false }] }),
		GetTrailStatus: JSON.stringify({ IsLogging: true, LatestDeliveryTime: NOW - 600, StartLoggingTime: NOW - 86400 * 400 }),
		GetEventSelectors: JSON.stringify({ TrailARN: trailArn, EventSelectors: [{ ReadWriteType: "All",
		    IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] }),
		events: pages,
	};
	cache.set(a, x);
	return x;
}

function keysOf(a, user) {
	const i = parseInt(user.replace(/^user/, ""), 10);
	if (!(i >= 0 && i < HOLDERS)) return query("ListAccessKeys", "<IsTruncated>false</IsTruncated><AccessKeyMetadata/>");
	return query("ListAccessKeys", "<IsTruncated>false</IsTruncated><AccessKeyMetadata><member>" +
	    `<UserName>${esc(user)}</UserName><AccessKeyId>${keyId(a, i)}</AccessKeyId><Status>Active</Status>` +
	    `<CreateDate>${ISO(NOW - 30 * 86400)}</CreateDate></member></AccessKeyMetadata>`);
}

let stats = { calls: {}, first: 0, last: 0, requests: 0, connections: 0, open: 0, open_max: 0, times: {} };

function caller(req) {
	const m = /Credential=(AKIA|ASIA)(\d{12})/.exec(req.headers.authorization || "");
	return m ? m[2] : null;
}

function error(status, code, msg, json) {
	if (json) return [status, "application/x-amz-json-1.1", JSON.stringify({ __type: code, message: msg })];
	return [status, "text/xml", `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code>` +
	    `<Message>${esc(msg)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`];
}

function answer(req, body) {
	const a = caller(req);
	const target = req.headers["x-amz-target"];
	if (target) {
		const op = target.split(".").pop();
		let b = {};
		try { b = JSON.parse(body || "{}"); } catch (e) { return [op, ...error(400, "SerializationException", "bad JSON", true)]; }
		const J = (o) => [op, 200, "application/x-amz-json-1.1", typeof o === "string" ? o : JSON.stringify(o)];
		if (op === "DescribeOrganization")
			return J({ Organization: { Id: "o-fakefakefa", Arn: `arn:aws:organizations::${MGMT}:organization/o-fakefakefa`,
			    FeatureSet: "ALL", MasterAccountArn: `arn:aws:organizations::${MGMT}:account/o-fakefakefa/${MGMT}`,
			    MasterAccountId: MGMT } });
		if (op === "ListAccounts") {
			const start = b.NextToken ? parseInt(b.NextToken, 10) : 0;
			const size = Math.min(b.MaxResults || 20, 20);
			const out = { Accounts: IDS.slice(start, start + size).map((id) => ({ Id: id,
			    Arn: `arn:aws:organizations::${MGMT}:account/o-fakefakefa/${id}`, Email: `a${id}@example.com`,
			    Name: `account ${id}`, Status: "ACTIVE", State: "ACTIVE", JoinedMethod: "CREATED", JoinedTimestamp: NOW - 86400 * 500 })) };
			if (start + size < IDS.length) out.NextToken = String(start + size);
			return J(out);
		}
		if (!KNOWN.has(a)) return [op, ...error(400, "UnrecognizedClientException", "unknown key", true)];
		const x = account(a);
		if (op === "LookupEvents") {
			const p = b.NextToken ? parseInt(b.NextToken, 10) : 0;
			const out = { Events: x.events[p] || [] };
			if (p + 1 < x.events.length) out.NextToken = String(p + 1);
			return J(out);
		}
		if (x[op]) return J(x[op]);
		return [op, ...error(400, "UnknownOperationException", op, true)];
	}
	const params = new URLSearchParams(body);
	const op = params.get("Action") || "?";
	if (op === "AssumeRole") {
		const m = /^arn:aws:iam::(\d{12}):role\//.exec(params.get("RoleArn") || "");
		if (!m || !KNOWN.has(m[1])) return [op, ...error(403, "AccessDenied", "not trusted")];
		return [op, 200, "text/xml", query("AssumeRole", `<Credentials><AccessKeyId>ASIA${m[1]}FAKE</AccessKeyId>` +
		    `<SecretAccessKey>fakesecret</SecretAccessKey><SessionToken>faketoken</SessionToken>` +
		    `<Expiration>${ISO(NOW + 3 * 3600)}</Expiration></Credentials><AssumedRoleUser>` +
		    `<AssumedRoleId>AROA${m[1]}00000:iamgrade</AssumedRoleId>` +
		    `<Arn>arn:aws:sts::${m[1]}:assumed-role/${ROLE}/iamgrade</Arn></AssumedRoleUser>`,
		    "https://sts.amazonaws.com/doc/2011-06-15/")];
	}
	if (op === "GetCallerIdentity" && a === MGMT)
		return [op, 200, "text/xml", query("GetCallerIdentity", `<Arn>arn:aws:iam::${MGMT}:user/runner</Arn>` +
		    `<UserId>AIDA${MGMT}RUN</UserId><Account>${MGMT}</Account>`, "https://sts.amazonaws.com/doc/2011-06-15/")];
	if (!KNOWN.has(a)) return [op, ...error(403, "InvalidClientTokenId", "unknown key")];
	const x = account(a);
	if (op === "GetCallerIdentity") return [op, 200, "text/xml", x.identity];
	if (op === "ListAccessKeys") return [op, 200, "text/xml", keysOf(a, params.get("UserName") || "")];
	if (x[op]) return [op, 200, "text/xml", x[op]];
	return [op, ...error(400, "InvalidAction", op)];
}

const server = http.createServer((req, res) => {
	if (req.method === "GET" && req.url === "/__stats") {
		res.setHeader("content-type", "application/json");
		res.end(JSON.stringify(stats));
		return;
	}
	if (req.method === "POST" && req.url === "/__reset") {
		stats = { calls: {}, first: 0, last: 0, requests: 0, connections: 0, open: 0, open_max: 0, times: {} };
		res.end("{}");
		return;
	}
	const chunks = [];
	req.on("data", (c) => chunks.push(c));
	req.on("end", () => {
		const t = Date.now();
		if (!stats.first) stats.first = t;
		const [op, status, type, text] = answer(req, Buffer.concat(chunks).toString());
		stats.calls[op] = (stats.calls[op] || 0) + 1;
		// When each action was first and last asked: does collecting overlap the org's paging?
		stats.times[op] = [stats.times[op] ? stats.times[op][0] : t, t];
		stats.requests++;
		setTimeout(() => {
			res.writeHead(status, { "content-type": type, "x-amzn-requestid": "fake",
			    "content-length": Buffer.byteLength(text) });
			res.end(text);
			stats.last = Date.now();
		}, LATENCY);
	});
});
// connections: opened in all; open_max: open at once (keep-alive ones included).
server.on("connection", (sock) => {
	stats.connections++;
	stats.open_max = Math.max(stats.open_max, ++stats.open);
	sock.on("close", () => { stats.open--; });
});
server.keepAliveTimeout = 120000;
server.headersTimeout = 130000;
server.listen(0, "127.0.0.1", () => {
	fs.writeFileSync(process.argv[2], String(server.address().port));
});

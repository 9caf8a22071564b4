"""IAM Identity Center for the bed: the portal's GetRoleCredentials and SSO
OIDC's CreateToken (refresh_token grant), which moto does not serve.  These
are what `aws sso login` leaves the AWS CLI (and iamgrade) to call: the login
itself (device authorization in a browser) is the test's part, done by
writing the token cache file and telling the bed about the token.

Control API (through bed.py):
  POST /_bed/sso_grant  {"access_token", "expires_in" (s, default 3600),
                         "account", "role_name", "credentials": {accessKeyId,
                         secretAccessKey, sessionToken, expiration (ms)}}
      the token may fetch these role credentials (more grants: more calls)
  POST /_bed/sso_client {"client_id", "client_secret", "refresh_token",
                         "access_token", "expires_in" (s, default 28800)}
      a registered client whose refresh token buys a new access token with
      the grants of access_token; the refresh token rotates, as AWS's does
  GET  /_bed/sso       the tokens, clients and calls (for assertions)

Wire formats (as botocore's service models describe them):
  GET /federation/credentials?account_id=A&role_name=R
      x-amz-sso_bearer_token: TOKEN       (unsigned)
      200 {"roleCredentials": {...}} | 401 UnauthorizedException
      | 403 ForbiddenException | 400 InvalidRequestException
  POST /token {"clientId", "clientSecret", "grantType": "refresh_token",
               "refreshToken"}            (unsigned, JSON)
      200 {"accessToken", "expiresIn", "refreshToken", "tokenType"}
      | 400 {"error": "invalid_grant" | "invalid_client" | ...}
"""
import json
import threading
import time
import urllib.parse
import uuid

PORTAL_PATH = "/federation/credentials"
OIDC_PATH = "/token"


def is_sso(method, path):
    return (method == "GET" and path == PORTAL_PATH) or (method == "POST" and path == OIDC_PATH)


def action_of(path):
    return "sso:GetRoleCredentials" if path == PORTAL_PATH else "sso-oidc:CreateToken"


class SSO:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.tokens = {}    # access token -> {"expires": epoch s, "grants": {(account, role): creds}}
            self.clients = {}   # client id -> {"secret", "refresh": {token: (access token, expires_in)}}
            self.calls = []     # what arrived, without secrets: (action, details)

    # --- control ---

    def grant(self, body):
        tok = str(body["access_token"])
        creds = body["credentials"]
        for k in ("accessKeyId", "secretAccessKey", "sessionToken", "expiration"):
            if k not in creds:
                raise ValueError(f"credentials need {k}")
        with self.lock:
            t = self.tokens.setdefault(tok, {"expires": 0, "grants": {}})
            t["expires"] = time.time() + float(body.get("expires_in", 3600))
            t["grants"][(str(body["account"]), str(body["role_name"]))] = dict(creds)
        return {"granted": True}

    def client(self, body):
        cid = str(body["client_id"])
        with self.lock:
            c = self.clients.setdefault(cid, {"secret": str(body["client_secret"]), "refresh": {}})
            c["secret"] = str(body["client_secret"])
            c["refresh"][str(body["refresh_token"])] = (str(body["access_token"]),
                                                        int(body.get("expires_in", 28800)))
        return {"registered": True}

    def describe(self):
        with self.lock:
            return {"tokens": {k: {"expires": v["expires"],
                                   "grants": [list(g) for g in v["grants"]]}
                               for k, v in self.tokens.items()},
                    "clients": {k: sorted(v["refresh"]) for k, v in self.clients.items()},
                    "calls": list(self.calls)}

    # --- the two calls ---

    @staticmethod
    def _err(status, etype, body):
        return status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", etype)], \
            json.dumps(body).encode()

    def handle(self, environ, headers, body):
        """(status, headers, body) for a request is_sso() accepted."""
        path = environ.get("PATH_INFO", "")
        if path == PORTAL_PATH:
            return self.get_role_credentials(environ, headers)
        return self.create_token(body)

    def get_role_credentials(self, environ, headers):
        q = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        tok = environ.get("bed.sso_bearer_token")  # see bed.QuietHandler
        with self.lock:
            self.calls.append(["GetRoleCredentials", {"account_id": q.get("account_id"),
                                                      "role_name": q.get("role_name"),
                                                      "token": tok}])
            if not q.get("account_id") or not q.get("role_name"):
                return self._err(400, "InvalidRequestException",
                                 {"message": "account_id and role_name are required"})
            t = self.tokens.get(tok)
            if t is None or t["expires"] <= time.time():
                return self._err(401, "UnauthorizedException",
                                 {"message": "Session token not found or invalid"})
            creds = t["grants"].get((q["account_id"], q["role_name"]))
            if creds is None:
                return self._err(403, "ForbiddenException", {"message": "No access"})
            return 200, [("Content-Type", "application/json")], \
                json.dumps({"roleCredentials": creds}).encode()

    def create_token(self, body):
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            req = None
        if not isinstance(req, dict):
            return self._err(400, "InvalidRequestException",
                             {"error": "invalid_request", "error_description": "not JSON"})
        with self.lock:
            self.calls.append(["CreateToken", {"clientId": req.get("clientId"),
                                               "grantType": req.get("grantType"),
                                               "refreshToken": req.get("refreshToken")}])
            if req.get("grantType") != "refresh_token":
                return self._err(400, "UnsupportedGrantTypeException",
                                 {"error": "unsupported_grant_type"})
            c = self.clients.get(req.get("clientId"))
            if c is None or c["secret"] != req.get("clientSecret"):
                return self._err(400, "InvalidClientException", {"error": "invalid_client"})
            old = c["refresh"].pop(req.get("refreshToken"), None)
            if old is None:
                return self._err(400, "InvalidGrantException",
                                 {"error": "invalid_grant",
                                  "error_description": "Invalid refresh token provided"})
            parent, expires_in = old
            access, refresh = "bed-access-" + uuid.uuid4().hex, "bed-refresh-" + uuid.uuid4().hex
            grants = dict(self.tokens.get(parent, {}).get("grants", {}))
            self.tokens[access] = {"expires": time.time() + expires_in, "grants": grants}
            c["refresh"][refresh] = (access, expires_in)
            return 200, [("Content-Type", "application/json")], json.dumps(
                {"accessToken": access, "expiresIn": expires_in, "refreshToken": refresh,
                 "tokenType": "Bearer"}).encode()

// The differential peer: @cloud-copilot/iam-simulate (AGPL-3.0, test-only,
// run as its own process, never linked or shipped).  Reads the cases of
// tests/policy/gen.py, one JSON object per line, and prints one
// {"id", "decision"} or {"id", "error"} per line, in the C driver's words.
import { readFileSync } from 'node:fs';
import { runSimulation, anonymousPrincipal } from '@cloud-copilot/iam-simulate';

const words = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicit_deny',
  ImplicitlyDenied: 'implicit_deny',
};

function named(list, prefix) {
  return (list || []).map((policy, i) => ({ name: `${prefix}${i}`, policy }));
}

async function one(c) {
  const r = c.request;
  let principal = r.principal;
  if (principal === null || principal === undefined) principal = anonymousPrincipal;
  const sim = {
    request: {
      principal,
      action: r.action,
      resource: { resource: r.resource, accountId: r.resource_account },
      contextVariables: r.context || {},
    },
    identityPolicies: named(c.identity, 'identity'),
    serviceControlPolicies: (c.scp || []).map((lv, i) => ({
      orgIdentifier: `ou-${i}`, policies: named(lv, `scp${i}-`),
    })),
    resourceControlPolicies: (c.rcp || []).map((lv, i) => ({
      orgIdentifier: `ou-${i}`, policies: named(lv, `rcp${i}-`),
    })),
  };
  if (c.resource_policy) sim.resourcePolicy = c.resource_policy;
  if (c.boundary) sim.permissionBoundaryPolicies = [{ name: 'boundary', policy: c.boundary }];
  const res = await runSimulation(sim, {});
  if (res.resultType === 'error') return { id: c.id, error: JSON.stringify(res.errors) };
  return { id: c.id, decision: words[res.overallResult] || res.overallResult };
}

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.length > 0);
const out = [];
const t0 = process.hrtime.bigint();
for (const line of lines) out.push(JSON.stringify(await one(JSON.parse(line))));
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(out.join('\n') + '\n');
process.stderr.write(`iam-simulate: ${lines.length} cases in ${secs.toFixed(3)} s\n`);

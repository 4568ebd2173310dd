'use strict';
/**
 * Runs an interop client's cases and prints one JSON line per case; shared by echo_client.js and
 * signed_client.js.
 *
 * A client defines its cases as methods of one object, throws CaseFailed (through expect) when a
 * check fails, and hands its command line to main() below. Each case races its own time limit so
 * one hang fails only that case. Output, one object per line: {"case": ..., "ok": true|false,
 * "detail": ...}. Exit code 0 when every requested case ran (whatever its outcome; the caller
 * asserts per case), 2 on usage errors.
 */

const grpc = require('@grpc/grpc-js');

const CASE_TIMEOUT_MS = 10000;
const STATUS_NAMES = Object.fromEntries(Object.entries(grpc.status).map(([name, code]) => [code, name]));

class CaseFailed extends Error {}

function expect(condition, detail) {
  if (!condition) throw new CaseFailed(detail);
}

function statusName(code) {
  return STATUS_NAMES[code] || String(code);
}

/** A failed case's detail: the message of a CaseFailed, else whatever was thrown, with its stack. */
function describeError(error) {
  return error instanceof CaseFailed ? error.message : String(error && error.stack ? error.stack : error);
}

/** As describeError, but a thrown gRPC error (one with a code) is reported by its status and details. */
function describeRpcError(error) {
  return !(error instanceof CaseFailed) && error && error.code !== undefined
    ? `unexpected RPC error ${statusName(error.code)}: ${JSON.stringify(error.details)}`
    : describeError(error);
}

/** Runs one case against its time limit; resolves with the result object, never rejects. */
async function runCase(cases, name, timeoutMs, describe = describeError) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `timed out after ${timeoutMs / 1000} s` }), timeoutMs);
  });
  const attempt = Promise.resolve()
    .then(() => cases[name]())
    .then((detail) => ({ ok: true, detail }))
    .catch((error) => ({ ok: false, detail: describe(error) }));
  const result = await Promise.race([attempt, timeout]);
  clearTimeout(timer);
  return { case: name, ok: result.ok, detail: result.detail };
}

/** Reads --target HOST:PORT and an optional --case NAME; exits with 2 and `usageLine` on anything else. */
function parseArgs(argv, usageLine, caseNames) {
  const usage = (message) => {
    process.stderr.write(`${message}\nusage: ${usageLine}\ncases: ${caseNames.join(' ')}\n`);
    process.exit(2);
  };
  const args = { target: null, case: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag !== '--target' && flag !== '--case') usage(`unknown argument ${flag}`);
    if (i + 1 >= argv.length) usage(`${flag} needs a value`);
    args[flag.slice(2)] = argv[++i];
  }
  if (!args.target) usage('--target is required');
  if (args.case !== null && !caseNames.includes(args.case)) usage(`unknown case ${args.case}`);
  return args;
}

/**
 * The whole client: parses the command line, builds the cases with makeCases(target) and runs the
 * requested ones in order, one JSON line each, then exits 0.
 */
async function main({ usageLine, caseNames, makeCases, describe = describeError }) {
  const args = parseArgs(process.argv.slice(2), usageLine, caseNames);
  const cases = makeCases(args.target);
  for (const name of args.case ? [args.case] : caseNames) {
    const result = await runCase(cases, name, CASE_TIMEOUT_MS, describe);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  // A timed-out case may still hold a channel open; exit once stdout has drained.
  process.stdout.write('', () => process.exit(0));
}

module.exports = { CaseFailed, expect, statusName, describeError, describeRpcError, runCase, main };

// deCONZ error lists in words a person understands. The API's own description is kept
// as a detail; the sentence says what happened and, where there is one, what to do.

const WORDS = {
  1: "This page's access was revoked. Please sign in again.",
  2: "The gateway did not understand the request.",
  3: "That no longer exists (it may have been deleted elsewhere).",
  4: "The gateway does not allow that here.",
  5: "Something required was missing.",
  6: "The gateway does not know one of the settings sent.",
  7: "A value is not allowed",
  8: "That setting cannot be changed",
  101: "The gateway is locked for new apps.",
  201: "The light is off; switch it on first.",
  202: "The device does not answer (is it powered?).",
  901: "The gateway had an internal error.",
  950: "Radio unavailable: the Zigbee stick is not connected. The page retries by itself.",
  951: "The radio is busy (a scan or channel change is running). Try again in a few seconds.",
};

export class ApiProblem extends Error {
  constructor(items, status) {
    const first = items[0] || {};
    super(describe(first));
    this.items = items;
    this.status = status;
    this.type = first.type;
  }
}

export function describe(error) {
  const base = WORDS[error.type];
  const detail = error.description || "";
  const retry = /too many failed password attempts; retry in (\d+) s/i.exec(detail);
  if (retry) return `Too many wrong passwords. Wait ${retry[1]} s and try again.`;
  if (error.type === 7 || error.type === 8) return `${base}: ${detail}.`;
  if (error.type === 950 && detail && !/^not connected$/i.test(detail)) return `${base} (${detail})`;
  if (error.type === 951 && detail) return `The radio is busy: ${detail.replace(/^Bridge busy:\s*/i, "")}. Try again in a few seconds.`;
  if (base) return base;
  return detail || `The gateway answered with error ${error.type}.`;
}

export function offline(reason) {
  const problem = new ApiProblem([{ type: 0, description: "" }], 0);
  problem.message = reason === "timeout"
    ? "The gateway did not answer in time. It may be restarting; the page keeps trying."
    : "Cannot reach the gateway. Check the network; the page keeps trying.";
  problem.offline = true;
  return problem;
}

"""The package test's HTTP client, run by the *target's* python3 inside the container.

Only the standard library: the test must not depend on anything the package installs.
Talks to the deCONZ API on 127.0.0.1:80 (the packaged settings) from inside the container,
which is what makes ``allow_local_apikey`` apply.

  api_probe.py config                 print GET /api/config (public part) as JSON
  api_probe.py wait SECONDS           wait until GET /api/config answers
  api_probe.py new-key                create an API key (local client), print it
  api_probe.py set-name KEY NAME      PUT /api/KEY/config {"name": NAME}
  api_probe.py name KEY               print the name from GET /api/KEY/config
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from typing import Any

BASE = "http://127.0.0.1:80/api"


def call(method: str, path: str, body: object | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http only
        return json.load(response)


def only_success(answer: Any) -> dict[str, Any]:
    if not (isinstance(answer, list) and answer and "success" in answer[0]):
        raise SystemExit(f"api_probe: not a success: {answer}")
    return dict(answer[0]["success"])


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "config":
        print(json.dumps(call("GET", "/config")))
    elif command == "wait":
        deadline = time.monotonic() + float(args[0])
        while True:
            try:
                call("GET", "/config")
                return 0
            except OSError as exc:
                if time.monotonic() > deadline:
                    raise SystemExit(f"api_probe: no answer in {args[0]} s ({exc})") from None
                time.sleep(0.5)
    elif command == "new-key":
        print(only_success(call("POST", "", {"devicetype": "package-test#probe"}))["username"])
    elif command == "set-name":
        only_success(call("PUT", f"/{args[0]}/config", {"name": args[1]}))
    elif command == "name":
        print(call("GET", f"/{args[0]}/config")["name"])
    else:
        raise SystemExit(f"api_probe: unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

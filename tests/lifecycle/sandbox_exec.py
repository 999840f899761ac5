"""Apply gateway.service's process restrictions, then exec a command (a test helper).

Run by the *system* Python (/usr/bin/python3), because the libseccomp binding is a Debian
package (python3-seccomp) for that interpreter:

    /usr/bin/python3 sandbox_exec.py UNIT USER COMMAND [ARGS...]

What it applies, in systemd's order: SupplementaryGroups= (resolved by name), the user's
group and uid (USER stands in for User=gateway, which does not exist on a test machine),
UMask=, NoNewPrivileges=, MemoryDenyWriteExecute= (PR_SET_MDWE, when the kernel has it) and
the SystemCallFilter= lines of UNIT, expanded with ``systemd-analyze syscall-filter`` so the
groups mean exactly what systemd 252 means by them. One deliberate difference: a call
outside the filter kills the process (SIGSYS) instead of failing with the unit's EPERM, so
a test sees every violation instead of a silently degraded service.
"""

from __future__ import annotations

import contextlib
import ctypes
import grp
import os
import pwd
import subprocess
import sys

import seccomp  # type: ignore[import-not-found]  # python3-seccomp, system Python only

PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1


def unit_values(unit: str, key: str) -> list[str]:
    values = []
    with open(unit) as fh:
        for line in fh:
            name, sep, value = line.strip().partition("=")
            if sep and name == key:
                values.append(value.strip())
    return values


def expand(item: str, seen: set[str]) -> set[str]:
    """System call names of a group (recursively) or of a single name."""
    if not item.startswith("@"):
        return {item}
    if item in seen:
        return set()
    seen.add(item)
    out = subprocess.run(
        ["systemd-analyze", "syscall-filter", item], capture_output=True, text=True, check=True
    ).stdout
    calls: set[str] = set()
    for line in out.splitlines()[1:]:
        entry = line.strip()
        if entry and not entry.startswith("#"):
            calls |= expand(entry, seen)
    return calls


def allowed_syscalls(unit: str) -> set[str]:
    allowed: set[str] = set()
    denied: set[str] = set()
    for value in unit_values(unit, "SystemCallFilter"):
        target = denied if value.startswith("~") else allowed
        for item in value.lstrip("~").split():
            target |= expand(item, set())
    if not allowed:
        raise SystemExit("sandbox_exec: the unit has no SystemCallFilter allow list")
    return allowed - denied


def main(argv: list[str]) -> None:
    unit, user_name, command = argv[1], argv[2], argv[3:]
    allowed = allowed_syscalls(unit)
    user = pwd.getpwnam(user_name)
    groups = [
        grp.getgrnam(g).gr_gid for v in unit_values(unit, "SupplementaryGroups") for g in v.split()
    ]
    os.setgroups(groups)
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)
    for umask in unit_values(unit, "UMask"):
        os.umask(int(umask, 8))
    libc = ctypes.CDLL(None, use_errno=True)
    if unit_values(unit, "MemoryDenyWriteExecute") == ["yes"]:
        libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0)  # absent before Linux 6.3
    os.environ["WATCHDOG_PID"] = str(os.getpid())  # exec keeps the pid, as systemd's main pid
    flt = seccomp.SyscallFilter(defaction=seccomp.KILL_PROCESS)  # also sets no_new_privs
    for name in sorted(allowed):
        # A name that is no system call on this architecture is skipped, as systemd does.
        with contextlib.suppress(RuntimeError, ValueError, OSError):
            flt.add_rule(seccomp.ALLOW, name)
    flt.load()
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv)

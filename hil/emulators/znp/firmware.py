"""Identity of the emulated firmware: what SYS_PING and SYS_VERSION report.

A CC2652 running a Z-Stack 3.30 coordinator build (2024 release): MT subsystems SYS,
AF, ZDO, UTIL, GP and APP_CONFIG; no SAPI/MAC/NWK, like the builds people flash.
"""

from __future__ import annotations

import zigpy_znp.commands as c
import zigpy_znp.types as t

CAPABILITIES = (
    t.MTCapabilities.SYS
    | t.MTCapabilities.AF
    | t.MTCapabilities.ZDO
    | t.MTCapabilities.UTIL
    | t.MTCapabilities.GP
    | t.MTCapabilities.APP_CNF
)

VERSION = {
    "TransportRev": 2,
    "ProductId": 1,
    "MajorRel": 2,
    "MinorRel": 7,
    "MaintRel": 1,
}
CODE_REVISION = 20240710

#: Subsystems this firmware implements; SREQs to others get "invalid subsystem".
SUBSYSTEMS = frozenset(
    {
        t.Subsystem.SYS,
        t.Subsystem.AF,
        t.Subsystem.ZDO,
        t.Subsystem.UTIL,
        t.Subsystem.APPConfig,
        t.Subsystem.ZGP,
    }
)


def version_response() -> object:
    return c.SYS.Version.Rsp(
        **VERSION,
        CodeRevision=CODE_REVISION,
        BootloaderBuildType=c.sys.BootloaderBuildType.NON_BOOTLOADER_BUILD,
        BootloaderRevision=0xFFFFFFFF,
    )

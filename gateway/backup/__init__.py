"""Backup and restore of what makes the gateway this gateway: its database and network.

``BackupService`` writes one ``.tar.gz`` (``manifest.json``, ``gateway.db``,
``network-backup.json``) and stages an uploaded one for the next start;
``apply_pending_restore`` is what the composition root runs before it opens the store.
The errors and the size bound are the domain's (``gateway.domain.backup``).
"""

from gateway.backup.archive import BackupService, apply_pending_restore
from gateway.domain.backup import BackupInvalid, BackupUnsupported

__all__ = ["BackupInvalid", "BackupService", "BackupUnsupported", "apply_pending_restore"]

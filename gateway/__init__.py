"""gateway: one Raspberry Pi service for a Zigbee coordinator and a KNX IP interface.

See ``DESIGN.md`` in the shared folder for the layers; ``gateway.service`` is the
composition root.
"""

__version__ = "0.1.0"

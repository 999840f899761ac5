"""The rules of the product, free of HTTP, of field-bus libraries and of SQL.

Lights (state model, colormode priority, error 201/202 rules), touchlink, the gateway
configuration (permit join, unlock window), API keys, the in-process event bus, the
Thinknx device controllers, and the ports the field buses implement (``radio``:
:class:`ZigbeeNetwork`, ``lights``: :class:`LightTransport`). Persists through
``gateway.store``; publishes through ``events``.
"""

"""What the ZNP and deCONZ emulators share word for word: the JSON-lines control socket
(server, request dispatch, client) and the helpers its command tables use.

Why a package of its own: both sticks are driven alike by the HIL suite, so the control
protocol must not drift between them; only what is really the same lives here.
"""

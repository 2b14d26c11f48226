"""Domain: the pure rules and vocabulary (stdlib only; no Flask, SQLAlchemy or redis).

Owns asset states and scan events (states.py), the lifecycle fold (lifecycle.py), sites,
trips and custody moves (trips.py, custody.py), distances (geo.py), who may do what
(policy.py), input rules (inputs.py), the EPCIS document (epcis.py) and the errors that
become 4xx answers (errors.py).

May import: the standard library and the pure libraries (routing's geometry). Every
other package may import it.
"""

"""ML standard library: Python bridges callable from ML code.

Bridges register themselves with @ml_module; the code generator maps
`import NAME;` in ML to `from mlpy.stdlib.NAME_bridge import NAME as ml_NAME`.
"""

BRIDGE_MODULES = {
    "collections": "mlpy.stdlib.collections_bridge",
    "math": "mlpy.stdlib.math_bridge",
    "random": "mlpy.stdlib.random_bridge",
    "string": "mlpy.stdlib.string_bridge",
    "time": "mlpy.stdlib.time_bridge",
}
